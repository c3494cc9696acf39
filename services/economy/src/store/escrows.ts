import { type OutboxRow, outboxValues } from '@necp/platform';
import { sql } from 'kysely';
import type { EscrowView, Outcome } from '../domain/escrow.ts';
import { ownerKey } from '../domain/movements.ts';
import type { EconomyDb, Trx } from './tables.ts';

/**
 * One writer at a time per order between a lock and a settlement event: without it, an event
 * that closes the order could miss a lock still being committed, and the lock then holds eddies
 * no settlement will release.
 */
export async function serializeOrder(trx: Trx, orderId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`escrow:${ownerKey(orderId)}`}))`.execute(trx);
}

/** Remembers an order social closed before any escrow was held for it. */
export async function recordClosedOrder(trx: Trx, orderId: string, orderStatus: string): Promise<void> {
  await trx
    .insertInto('mvp_core.escrow_closed_orders')
    .values({ order_id: orderId, order_status: orderStatus })
    .onConflict((conflict) => conflict.column('order_id').doNothing())
    .execute();
}

/** The status social closed the order with, when it closed it before any escrow was held. */
export async function closedOrderStatus(trx: Trx, orderId: string): Promise<string | undefined> {
  const closed = await trx
    .selectFrom('mvp_core.escrow_closed_orders')
    .select('order_status')
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  return closed?.order_status;
}

/** The escrow's row, locked until the transaction ends. */
export async function lockEscrowRow(trx: Trx, orderId: string) {
  const row = await trx
    .selectFrom('mvp_core.escrows')
    .selectAll()
    .where('order_id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  return {
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

interface HistoryJson {
  status: EscrowView['status'];
  executor_amount: number | string;
  refund_amount: number | string;
  commission_taken: number | string;
  source: string;
  at: string;
}

/** The escrow and its history, in one round trip. */
export async function readEscrow(db: EconomyDb | Trx, orderId: string): Promise<EscrowView | undefined> {
  const row = await db
    .selectFrom('mvp_core.escrows as e')
    .selectAll('e')
    .select(
      sql<HistoryJson[]>`(
        SELECT coalesce(json_agg(json_build_object('status', h.status, 'executor_amount', h.executor_amount,
          'refund_amount', h.refund_amount, 'commission_taken', h.commission_taken, 'source', h.source, 'at', h.at)
          ORDER BY h.id), '[]'::json)
        FROM mvp_core.escrow_history h WHERE h.order_id = e.order_id)`.as('history'),
    )
    .where('e.order_id', '=', orderId)
    .executeTakeFirst();
  if (!row) return undefined;
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

/** A line of the escrow's history: the status it reached, what moved, who asked and through what. */
export interface HistoryLine {
  orderId: string;
  status: EscrowView['status'];
  outcome: Outcome | undefined;
  actorId: string | null;
  source: string;
}

/**
 * The history line and the event of a change, as CTEs of the statement that makes the change: the
 * escrow's row, its line and its event in one round trip.
 */
function withLineAndEvent(trx: Trx, line: HistoryLine, event: OutboxRow<unknown>) {
  return trx
    .with('line', (db) =>
      db
        .insertInto('mvp_core.escrow_history')
        .values({
          order_id: line.orderId,
          status: line.status,
          executor_amount: line.outcome?.executorAmount ?? 0,
          refund_amount: line.outcome?.refundAmount ?? 0,
          commission_taken: line.outcome?.commissionTaken ?? 0,
          actor_id: line.actorId,
          source: line.source,
        })
        .returning('id'),
    )
    .with('event', (db) => db.insertInto('mvp_meta.outbox').values(outboxValues(event)).returning('id'));
}

/** The escrow of a new lock, with its history line and its event. */
export async function insertEscrow(
  trx: Trx,
  escrow: { orderId: string; payerCharacterId: string; amount: number; commission: number },
  holdTransferId: string,
  line: HistoryLine,
  event: OutboxRow<unknown>,
): Promise<void> {
  await withLineAndEvent(trx, line, event)
    .insertInto('mvp_core.escrows')
    .values({
      order_id: escrow.orderId,
      payer_character_id: escrow.payerCharacterId,
      amount: escrow.amount,
      commission: escrow.commission,
      status: 'locked',
      hold_transfer_id: holdTransferId,
    })
    .execute();
}

/** A settlement's outcome on the escrow, with its history line and its event. */
export async function writeOutcome(
  trx: Trx,
  orderId: string,
  outcome: Outcome,
  executorCharacterId: string | null,
  line: HistoryLine,
  event: OutboxRow<unknown>,
): Promise<void> {
  await withLineAndEvent(trx, line, event)
    .updateTable('mvp_core.escrows')
    .set({
      status: outcome.status,
      executor_character_id: executorCharacterId,
      executor_amount: outcome.executorAmount,
      refund_amount: outcome.refundAmount,
      commission_taken: outcome.commissionTaken,
      updated_at: new Date(),
    })
    .where('order_id', '=', orderId)
    .execute();
}
