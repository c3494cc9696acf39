/**
 * Posted transfers (P2P transfers and grants) through `mvp_core.ledger_post_transfers`: each
 * transfer with its outbox event and, under an Idempotency-Key, the key as its client ref; each
 * answered with its own outcome. `transfer-batcher.ts` gathers the batches.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type AppError,
  characterNotFound,
  characterNotOwned,
  type IdempotencyClaim,
  type IdempotentResult,
  replayOf,
  type StoredResponse,
} from '@necp/platform';
import type { AccountRef } from '../domain/ledger.ts';
import { postedTransferOutboxRow } from '../events.ts';
import { type LedgerPostItem, type LedgerPostOutcome, postLedgerItems } from '../store/ledger-post.ts';
import type { EconomyDb } from '../store/tables.ts';
import { insufficientFunds } from './movement.ts';

export interface PostedTransfer {
  id: string;
  /** Must be new: this path does not look for an earlier transfer carrying it. */
  clientRef: string;
  debit: AccountRef;
  credit: AccountRef;
  amount: number;
  reason: string;
  memo: string | null;
  actorId: string | null;
  createdAt: Date;
}

export function newPostedTransfer(
  fields: Omit<PostedTransfer, 'id' | 'clientRef' | 'createdAt'>,
  clientRefPrefix: string,
): PostedTransfer {
  const id = randomUUID();
  return { ...fields, id, clientRef: `${clientRefPrefix}:${id}`, createdAt: new Date() };
}

/** Checks of the transfer's characters that the ledger makes in the statement that posts it (migration 008). */
export interface PartyChecks {
  /** The debited character must be known, live and this account's (403 or 404 otherwise); null: no check. */
  debitOwnedBy: string | null;
  /** The credited character must be known and live (404 otherwise). */
  creditMustExist: boolean;
}

/**
 * A character of the transfer that economy's projection has not seen yet (its created event is
 * still on the way): the caller checks it the slow way and posts again without the checks.
 */
export class PartyNotKnownYet extends Error {
  constructor() {
    super("a character of the transfer is not in economy's projection yet");
  }
}

/**
 * The client ref of a transfer posted under an Idempotency-Key (migration 011 derives the same in
 * SQL): the key is the transfer's identity, so a repeat finds the transfer itself.
 */
export function keyedClientRef(claim: Pick<IdempotencyClaim, 'scope' | 'key'>): string {
  return `key:${createHash('sha256').update(`${claim.scope}\n${claim.key}`).digest('hex')}`;
}

/** What the answer to a posted transfer names of it: the first posting's, for a repeat. */
export interface PostedIdentity {
  id: string;
  createdAt: Date;
}

export interface TransferPosting {
  /** With a `claim`, its `clientRef` is `keyedClientRef(claim)`. */
  transfer: PostedTransfer;
  /** The answer, for this transfer or for the one a repeat of its request finds. */
  answer: (posted: PostedIdentity) => StoredResponse;
  claim?: IdempotencyClaim | undefined;
  parties?: PartyChecks | undefined;
}

/** `posting` under `claim`, when the request has an Idempotency-Key: the key becomes the client ref. */
export function underKey(
  posting: Omit<TransferPosting, 'claim'>,
  claim: IdempotencyClaim | undefined,
): TransferPosting {
  if (claim === undefined) return posting;
  return { ...posting, transfer: { ...posting.transfer, clientRef: keyedClientRef(claim) }, claim };
}

/** A posting's answer: `response`, a live key's stored answer, or the refusal to throw. */
export type PostingOutcome = { ok: true; result: IdempotentResult } | { ok: false; error: AppError | Error };

function itemOf({ transfer, claim, parties }: TransferPosting): LedgerPostItem {
  const event = postedTransferOutboxRow(transfer);
  return {
    transfer_id: transfer.id,
    client_ref: transfer.clientRef,
    debit_kind: transfer.debit.kind,
    debit_owner: transfer.debit.ownerId,
    credit_kind: transfer.credit.kind,
    credit_owner: transfer.credit.ownerId,
    asset: transfer.debit.asset,
    amount: transfer.amount,
    reason: transfer.reason,
    memo: transfer.memo,
    actor_id: transfer.actorId,
    created_at: transfer.createdAt,
    event_id: event.id,
    event_topic: event.type,
    event_key: event.aggregateid,
    event_envelope: event.payload,
    event_producer: event.producer,
    event_traceparent: event.tracingspancontext,
    request_hash: claim?.requestHash ?? null,
    debit_owned_by: parties?.debitOwnedBy ?? null,
    credit_must_exist: parties?.creditMustExist ?? false,
  };
}

function outcomeOf(posting: TransferPosting, row: LedgerPostOutcome | undefined): PostingOutcome {
  if (!row) return { ok: false, error: new Error('mvp_core.ledger_post_transfers answered no row for a transfer') };
  if (row.outcome === 'posted') return { ok: true, result: { ...posting.answer(posting.transfer), replayed: false } };
  if (row.outcome === 'unknown_party') return { ok: false, error: new PartyNotKnownYet() };
  if (row.outcome === 'no_such_character') return { ok: false, error: characterNotFound() };
  if (row.outcome === 'not_owned') return { ok: false, error: characterNotOwned() };
  if (row.outcome === 'refused') {
    const { transfer } = posting;
    return {
      ok: false,
      error: insufficientFunds({
        asset: transfer.debit.asset,
        available: Number(row.available),
        required: transfer.amount,
      }),
    };
  }
  if (!posting.claim || !row.transfer_id || !row.created_at)
    return { ok: false, error: new Error('a transfer without an Idempotency-Key met a stored answer') };
  try {
    const answer = posting.answer({ id: row.transfer_id, createdAt: new Date(row.created_at) });
    const stored = { request_hash: row.request_hash ?? '', ...answer };
    return { ok: true, result: replayOf(posting.claim, stored) };
  } catch (error) {
    return { ok: false, error: error as AppError };
  }
}

/**
 * Posts `postings` in one transaction, each with its own outcome; postings must not share a
 * client ref. Throws only when the whole batch failed (then nothing of it was written).
 */
export async function postTransferBatch(db: EconomyDb, postings: TransferPosting[]): Promise<PostingOutcome[]> {
  const rows = await postLedgerItems(db, postings.map(itemOf));
  const byItem = new Map(rows.map((row) => [row.item, row]));
  return postings.map((posting, index) => outcomeOf(posting, byItem.get(index + 1)));
}
