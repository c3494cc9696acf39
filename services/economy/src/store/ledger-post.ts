/**
 * One posted transfer in one round trip: `mvp_core.ledger_post_transfer` (migrations/005) claims the
 * Idempotency-Key, locks both accounts, checks the debit, writes the transfer, both balances, the
 * outbox event and the stored answer in the single statement that calls it.
 */
import { randomUUID } from 'node:crypto';
import {
  AppError,
  type IdempotencyClaim,
  type IdempotentResult,
  outboxRow,
  replayOf,
  type StoredResponse,
} from '@necp/platform';
import { sql } from 'kysely';
import type { AccountRef } from '../domain/ledger.ts';
import { type EconomyDb, ledgerTransferEvent } from './ledger-store.ts';
import { retryTransaction } from './retry.ts';

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

/** 422 INSUFFICIENT_FUNDS: the debit account cannot cover the amount; nothing was written. */
export function insufficientFunds(refusal: { asset: string; available: number; required: number }): AppError {
  return new AppError(
    'INSUFFICIENT_FUNDS',
    `Not enough ${refusal.asset}: ${refusal.available} available, ${refusal.required} required`,
    { extensions: { asset: refusal.asset, required: refusal.required, available: refusal.available } },
  );
}

const InsufficientFundsState = 'EC001';

interface PostRow {
  posted: boolean;
  request_hash: string | null;
  status: number | null;
  body: unknown;
}

function refusalOf(error: unknown, transfer: PostedTransfer): AppError | undefined {
  if (!error || typeof error !== 'object' || (error as { code?: unknown }).code !== InsufficientFundsState) return;
  const { available, required } = JSON.parse(String((error as { detail?: unknown }).detail)) as {
    available: number;
    required: number;
  };
  return insufficientFunds({ asset: transfer.debit.asset, available: Number(available), required: Number(required) });
}

/**
 * Posts `transfer` and answers `response`, or, for a live `claim`, the answer stored under its key
 * (422 when the key came with another body). A refusal throws 422 INSUFFICIENT_FUNDS.
 */
export async function postTransfer(
  db: EconomyDb,
  transfer: PostedTransfer,
  response: StoredResponse,
  claim?: IdempotencyClaim,
): Promise<IdempotentResult> {
  const event = outboxRow(
    'economy',
    ledgerTransferEvent(
      { ...transfer, kind: 'posted', asset: transfer.debit.asset, pendingId: null },
      transfer.debit,
      transfer.credit,
    ),
  );
  const rows = await retryTransaction(async () => {
    try {
      const result = await sql<PostRow>`
        SELECT * FROM mvp_core.ledger_post_transfer(
          ${transfer.id}, ${transfer.clientRef},
          ${transfer.debit.kind}, ${transfer.debit.ownerId}, ${transfer.credit.kind}, ${transfer.credit.ownerId},
          ${transfer.debit.asset}, ${transfer.amount}, ${transfer.reason}, ${transfer.memo}, ${transfer.actorId},
          ${transfer.createdAt},
          ${event.id}, ${event.type}, ${event.aggregateid}, ${JSON.stringify(event.payload)}::jsonb, ${event.producer}, ${event.tracingspancontext},
          ${claim?.scope ?? null}, ${claim?.key ?? null}, ${claim?.requestHash ?? null}, ${claim?.expiresAt ?? null},
          ${response.status}, ${JSON.stringify(response.body ?? null)}::jsonb)`.execute(db);
      return result.rows;
    } catch (error) {
      throw refusalOf(error, transfer) ?? error;
    }
  });
  const row = rows[0];
  if (!row) throw new Error('mvp_core.ledger_post_transfer returned no row');
  if (row.posted) return { ...response, replayed: false };
  if (!claim) throw new Error('a transfer without an Idempotency-Key met a stored answer');
  return replayOf(claim, { request_hash: row.request_hash ?? '', status: row.status, body: row.body });
}
