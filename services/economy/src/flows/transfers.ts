/**
 * P2P transfers and grants: one posted leg each, posted in batches (transfer-batcher.ts). An
 * Idempotency-Key becomes the transfer's client ref, so a repeat finds the transfer itself.
 */
import {
  AppError,
  type AuthContext,
  hasAnyRole,
  type IdempotencyRequest,
  type IdempotentResult,
  idempotencyClaim,
} from '@necp/platform';
import type { Asset } from '../domain/catalogue.ts';
import { characterAccount, houseAccount } from '../domain/movements.ts';
import { Roles } from '../domain/roles.ts';
import type { EconomyDeps } from './deps.ts';
import type { TransferPoster } from './transfer-batcher.ts';
import {
  newPostedTransfer,
  type PartyChecks,
  PartyNotKnownYet,
  type PostedIdentity,
  type PostedTransfer,
  type TransferPosting,
  underKey,
} from './transfer-posting.ts';

export interface TransferView {
  transferId: string;
  fromCharacterId: string;
  toCharacterId: string;
  asset: string;
  amount: number;
  memo: string | null;
  createdAt: string;
}

export interface TransferRequest {
  fromCharacterId: string;
  toCharacterId: string;
  asset: Asset;
  amount: number;
  memo?: string | undefined;
}

/** A P2P transfer ready to post, and the answer the API gives for it (or for the first of a repeat). */
export function p2pTransfer(
  input: TransferRequest,
  actorId: string,
): { transfer: PostedTransfer; viewOf: (posted: PostedIdentity) => TransferView } {
  const transfer = newPostedTransfer(
    {
      debit: characterAccount(input.fromCharacterId, input.asset),
      credit: characterAccount(input.toCharacterId, input.asset),
      amount: input.amount,
      reason: 'p2p_transfer',
      memo: input.memo ?? null,
      actorId,
    },
    'p2p',
  );
  return {
    transfer,
    viewOf: (posted) => ({
      transferId: posted.id,
      fromCharacterId: input.fromCharacterId,
      toCharacterId: input.toCharacterId,
      asset: input.asset,
      amount: input.amount,
      memo: transfer.memo,
      createdAt: posted.createdAt.toISOString(),
    }),
  };
}

export interface GrantView {
  grantId: string;
  characterId: string;
  asset: string;
  amount: number;
  reason: string;
  createdAt: string;
}

export interface GrantRequest {
  characterId: string;
  asset: Asset;
  amount: number;
  reason: string;
}

/** A grant ready to post: minted from the house (its balance goes negative by what it issues). */
export function houseGrant(
  input: GrantRequest,
  actorId: string,
): { transfer: PostedTransfer; viewOf: (posted: PostedIdentity) => GrantView } {
  const transfer = newPostedTransfer(
    {
      debit: houseAccount(input.asset),
      credit: characterAccount(input.characterId, input.asset),
      amount: input.amount,
      reason: 'grant',
      memo: input.reason,
      actorId,
    },
    'grant',
  );
  return {
    transfer,
    viewOf: (posted) => ({
      grantId: posted.id,
      characterId: input.characterId,
      asset: input.asset,
      amount: input.amount,
      reason: input.reason,
      createdAt: posted.createdAt.toISOString(),
    }),
  };
}

function postOnce(
  poster: TransferPoster,
  idempotency: IdempotencyRequest | undefined,
  posting: Omit<TransferPosting, 'claim'>,
): Promise<IdempotentResult> {
  return poster.post(underKey(posting, idempotency === undefined ? undefined : idempotencyClaim(idempotency)));
}

/**
 * `postOnce` with the transfer's characters checked by the ledger in the statement that posts it
 * (no round trip before it). When economy's projection has not seen one of them yet,
 * `checkSlowly` checks them through the cache and character-service (404, 403 or 503 as it finds)
 * and the transfer is posted again: the first attempt wrote nothing and gave its key back.
 */
async function postOnceChecked(
  poster: TransferPoster,
  idempotency: IdempotencyRequest | undefined,
  posting: Omit<TransferPosting, 'claim' | 'parties'>,
  parties: PartyChecks,
  checkSlowly: () => Promise<unknown>,
): Promise<IdempotentResult> {
  try {
    return await postOnce(poster, idempotency, { ...posting, parties });
  } catch (error) {
    if (!(error instanceof PartyNotKnownYet)) throw error;
  }
  await checkSlowly();
  return postOnce(poster, idempotency, posting);
}

/** Moves an asset between two characters: the payer the caller's (unless a service sends), the payee live. */
export async function transferBetweenCharacters(
  deps: EconomyDeps,
  caller: AuthContext,
  request: TransferRequest,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  if (request.fromCharacterId === request.toCharacterId) {
    throw new AppError('VALIDATION_ERROR', 'A transfer needs two different characters', {
      errors: [{ path: 'body/toCharacterId', message: 'must differ from fromCharacterId' }],
    });
  }
  const { transfer, viewOf } = p2pTransfer(request, caller.accountId);
  // A payee that does not exist would keep the eddies in an account no one can reach.
  const parties = {
    debitOwnedBy: hasAnyRole(caller, [Roles.service]) ? null : caller.accountId,
    creditMustExist: true,
  };
  return postOnceChecked(
    deps.transfers,
    idempotency,
    { transfer, answer: (posted) => ({ status: 201, body: viewOf(posted) }) },
    parties,
    () =>
      Promise.all([
        deps.characters.assertCallerOwns(caller, request.fromCharacterId, [Roles.service]),
        deps.characters.assertLive(request.toCharacterId),
      ]),
  );
}

/** Mints an asset from the house to a live character. */
export async function grantFromHouse(
  deps: EconomyDeps,
  caller: AuthContext,
  request: GrantRequest,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  const { transfer, viewOf } = houseGrant(request, caller.accountId);
  return postOnceChecked(
    deps.transfers,
    idempotency,
    { transfer, answer: (posted) => ({ status: 201, body: viewOf(posted) }) },
    { debitOwnedBy: null, creditMustExist: true },
    () => deps.characters.assertLive(request.characterId),
  );
}
