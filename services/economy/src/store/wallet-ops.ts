import { AppError } from '@necp/platform';
import { ASSETS, type Asset, startingGrants } from '../domain/catalogue.ts';
import { LedgerRefusal } from '../domain/ledger.ts';
import { insufficientFunds, newPostedTransfer, type PostedIdentity, type PostedTransfer } from './ledger-post.ts';
import {
  characterAccount,
  characterBalances,
  houseAccount,
  type MovementLeg,
  type MovementResult,
  move,
  PendingResolvedError,
  type Trx,
} from './ledger-store.ts';

/** Ledger refusals become the API's codes; anything else stays a fault. */
export async function moveOrRefuse(trx: Trx, legs: MovementLeg[]): Promise<MovementResult> {
  try {
    return await move(trx, legs);
  } catch (error) {
    if (error instanceof LedgerRefusal) throw insufficientFunds(error);
    if (error instanceof PendingResolvedError) throw new AppError('INVALID_STATE', error.message);
    throw error;
  }
}

export interface TransferView {
  transferId: string;
  fromCharacterId: string;
  toCharacterId: string;
  asset: string;
  amount: number;
  memo: string | null;
  createdAt: string;
}

/** A P2P transfer ready to post, and the answer the API gives for it (or for the first of a repeat). */
export function p2pTransfer(
  input: { fromCharacterId: string; toCharacterId: string; asset: Asset; amount: number; memo?: string | undefined },
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

/** A grant ready to post: minted from the house (its balance goes negative by what it issues). */
export function houseGrant(
  input: { characterId: string; asset: Asset; amount: number; reason: string },
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

/** The starting kit once per character: its client refs are derived from the character, not the event. */
export async function grantStartingKit(trx: Trx, characterId: string, origin: string): Promise<MovementResult> {
  const legs: MovementLeg[] = startingGrants(origin).map(({ asset, amount }) => ({
    type: 'posted',
    clientRef: `starting-kit:${characterId}:${asset}`,
    debit: houseAccount(asset),
    credit: characterAccount(characterId, asset),
    amount,
    reason: 'starting_kit',
    memo: `origin ${origin}`,
  }));
  return move(trx, legs);
}

export interface WalletView {
  characterId: string;
  balances: { asset: string; available: number; held: number }[];
}

export async function wallet(trx: Parameters<typeof characterBalances>[0], characterId: string): Promise<WalletView> {
  const rows = new Map((await characterBalances(trx, characterId)).map((row) => [row.asset, row]));
  return {
    characterId,
    balances: ASSETS.map((asset) => {
      const row = rows.get(asset);
      return { asset, available: row ? row.balance - row.held : 0, held: row?.held ?? 0 };
    }),
  };
}
