import { type OutboxRow, prepared } from '@necp/platform';
import { sql } from 'kysely';
import type { EscrowView, Outcome } from '../domain/escrow.ts';
import { ownerKey, type TransferKind } from '../domain/movements.ts';
import type { LedgerTransferItem } from './ledger-post.ts';
import type { EconomyDb, Trx } from './tables.ts';

/**
 * One writer at a time per order between a lock and a settlement event that finds no escrow: without
 * it, the event could miss a lock still being committed, and the lock then holds eddies no settlement
 * will release. `mvp_core.escrow_lock` takes the same lock inside its statement.
 */
export async function serializeOrder(trx: Trx, orderId: string): Promise<void> {
  await prepared(sql`SELECT pg_advisory_xact_lock(hashtext(${`escrow:${ownerKey(orderId)}`}))`).execute(trx);
}

/** Remembers an order social closed before any escrow was held for it. */
export async function recordClosedOrder(trx: Trx, orderId: string, orderStatus: string): Promise<void> {
  await prepared(
    trx
      .insertInto('mvp_core.escrow_closed_orders')
      .values({ order_id: orderId, order_status: orderStatus })
      .onConflict((conflict) => conflict.column('order_id').doNothing()),
  ).execute();
}

/**
 * The escrow's terms as they stand, read without a lock: a settlement decides its legs from them, then
 * `settleEscrowMovement` checks under the row's lock that the escrow is still locked (its amounts, payer
 * and hold never change).
 */
export async function escrowTerms(db: EconomyDb | Trx, orderId: string) {
  const query = db
    .selectFrom('mvp_core.escrows')
    .select([
      'payer_character_id',
      'status',
      'hold_transfer_id',
      'executor_character_id',
      'executor_amount',
      'refund_amount',
      'commission_taken',
      'amount',
      'commission',
    ])
    .where('order_id', '=', orderId);
  const row = await prepared(query).executeTakeFirst();
  if (!row) return undefined;
  return {
    payerCharacterId: row.payer_character_id,
    status: row.status,
    holdTransferId: row.hold_transfer_id,
    executorCharacterId: row.executor_character_id,
    executorAmount: Number(row.executor_amount),
    refundAmount: Number(row.refund_amount),
    commissionTaken: Number(row.commission_taken),
    amount: Number(row.amount),
    commission: Number(row.commission),
  };
}

/** `mvp_core.escrow_view` (migrations/repeatable/escrow_movements.sql): the escrow and its history. */
interface EscrowJson {
  order_id: string;
  payer_character_id: string;
  status: EscrowView['status'];
  amount: number;
  commission: number;
  executor_character_id: string | null;
  executor_amount: number;
  refund_amount: number;
  commission_taken: number;
  created_at: string;
  updated_at: string;
  history: {
    status: EscrowView['status'];
    executor_amount: number;
    refund_amount: number;
    commission_taken: number;
    source: string;
    at: string;
  }[];
}

function toView(row: EscrowJson): EscrowView {
  return {
    orderId: row.order_id,
    payerCharacterId: row.payer_character_id,
    status: row.status,
    amount: Number(row.amount),
    commission: Number(row.commission),
    executorCharacterId: row.executor_character_id,
    executorAmount: Number(row.executor_amount),
    refundAmount: Number(row.refund_amount),
    commissionTaken: Number(row.commission_taken),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    history: row.history.map((entry) => ({
      status: entry.status,
      executorAmount: Number(entry.executor_amount),
      refundAmount: Number(entry.refund_amount),
      commissionTaken: Number(entry.commission_taken),
      source: entry.source,
      at: new Date(entry.at).toISOString(),
    })),
  };
}

/** The escrow and its history, in one round trip. */
export async function readEscrow(db: EconomyDb | Trx, orderId: string): Promise<EscrowView | undefined> {
  const { rows } = await prepared(sql<{ escrow: EscrowJson | null }>`
    SELECT mvp_core.escrow_view(${orderId}::uuid) AS escrow`).execute(db);
  const row = rows[0]?.escrow;
  return row ? toView(row) : undefined;
}

/** A leg as the escrow functions write it: its transfer, its two accounts and the hold it releases. */
export interface EscrowLegItem extends LedgerTransferItem {
  kind: TransferKind;
  pending_id: string | null;
  released: number;
}

/** An outbox row as the escrow functions write it (`mvp_meta.write_outbox_rows`). */
export function eventItem(row: OutboxRow<unknown>) {
  return {
    id: row.id,
    topic: row.type,
    key: row.aggregateid,
    envelope: row.payload,
    producer: row.producer,
    traceparent: row.tracingspancontext,
  };
}

export interface EscrowLockItem {
  order_id: string;
  payer_character_id: string;
  amount: number;
  commission: number;
  actor_id: string | null;
  source: string;
  /** The hold; its transfer id is the escrow's hold_transfer_id. */
  legs: [EscrowLegItem];
  events: ReturnType<typeof eventItem>[];
}

export type EscrowLockAnswer =
  | { answer: 'locked' | 'exists'; escrow: EscrowView }
  | { answer: 'closed'; closedAs: string }
  | { answer: 'refused'; available: number };

/** The SQLSTATE `mvp_core.escrow_lock` raises when the payer cannot cover the hold (its detail: what it has). */
const LOCK_REFUSED = 'EC422';

function lockRefusal(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { code, detail } = error as { code?: unknown; detail?: unknown };
  return code === LOCK_REFUSED ? Number(detail) : undefined;
}

/**
 * `mvp_core.escrow_lock`: the hold, the escrow, its history line and its events in one statement, atomic
 * on its own or inside the caller's transaction.
 */
export async function lockEscrowMovement(db: EconomyDb | Trx, item: EscrowLockItem): Promise<EscrowLockAnswer> {
  let rows: { answer: 'locked' | 'exists' | 'closed'; closed_as: string | null; escrow: EscrowJson | null }[];
  try {
    ({ rows } = await prepared(sql<(typeof rows)[number]>`
      SELECT * FROM mvp_core.escrow_lock(${JSON.stringify(item)}::jsonb)`).execute(db));
  } catch (error) {
    const available = lockRefusal(error);
    if (available === undefined) throw error;
    return { answer: 'refused', available };
  }
  const row = rows[0];
  if (!row) throw new Error('mvp_core.escrow_lock answered no row');
  if (row.answer === 'closed') return { answer: 'closed', closedAs: row.closed_as ?? '' };
  return { answer: row.answer, escrow: toView(row.escrow as EscrowJson) };
}

export interface EscrowSettleItem {
  order_id: string;
  hold_transfer_id: string;
  status: Outcome['status'];
  executor_character_id: string | null;
  executor_amount: number;
  refund_amount: number;
  commission_taken: number;
  actor_id: string | null;
  source: string;
  legs: EscrowLegItem[];
  events: ReturnType<typeof eventItem>[];
  /** An order event's claim, written only with the settlement it made (a repeat fails unique_violation). */
  claim?: { consumer_group: string; event_id: string; topic: string };
}

/**
 * `mvp_core.escrow_settle`: the legs, the outcome, its history line and its events in one statement;
 * or, when another settlement ended the escrow first, that escrow (nothing written); or, when the
 * item's event claim was taken already, `claimed` (nothing written).
 */
export async function settleEscrowMovement(
  trx: EconomyDb | Trx,
  item: EscrowSettleItem,
): Promise<{ answer: 'applied' } | { answer: 'settled'; escrow: EscrowView } | { answer: 'claimed' }> {
  let rows: { answer: 'applied' | 'settled'; escrow: EscrowJson | null }[];
  try {
    ({ rows } = await prepared(sql<{ answer: 'applied' | 'settled'; escrow: EscrowJson | null }>`
      SELECT * FROM mvp_core.escrow_settle(${JSON.stringify(item)}::jsonb)`).execute(trx));
  } catch (error) {
    // The item's claim was taken: that event was handled already (nothing written now).
    if (item.claim && (error as { code?: unknown }).code === '23505') return { answer: 'claimed' };
    throw error;
  }
  const row = rows[0];
  if (!row) throw new Error('mvp_core.escrow_settle answered no row');
  return row.answer === 'applied'
    ? { answer: 'applied' }
    : { answer: 'settled', escrow: toView(row.escrow as EscrowJson) };
}
