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

export async function escrowExists(trx: Trx, orderId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('mvp_core.escrows')
    .select('order_id')
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  return row !== undefined;
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

export async function readEscrow(db: EconomyDb | Trx, orderId: string): Promise<EscrowView | undefined> {
  const row = await db.selectFrom('mvp_core.escrows').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  if (!row) return undefined;
  const history = await db
    .selectFrom('mvp_core.escrow_history')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
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
    history: history.map((entry) => ({
      status: entry.status,
      executorAmount: Number(entry.executor_amount),
      refundAmount: Number(entry.refund_amount),
      commissionTaken: Number(entry.commission_taken),
      source: entry.source,
      at: new Date(entry.at).toISOString(),
    })),
  };
}

export async function insertEscrow(
  trx: Trx,
  escrow: { orderId: string; payerCharacterId: string; amount: number; commission: number },
  holdTransferId: string,
): Promise<void> {
  await trx
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

export async function writeOutcome(
  trx: Trx,
  orderId: string,
  outcome: Outcome,
  executorCharacterId: string | null,
): Promise<void> {
  await trx
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

/** A line of the escrow's history: the status it reached, what moved, who asked and through what. */
export async function appendHistory(
  trx: Trx,
  entry: {
    orderId: string;
    status: EscrowView['status'];
    outcome: Outcome | undefined;
    actorId: string | null;
    source: string;
  },
): Promise<void> {
  await trx
    .insertInto('mvp_core.escrow_history')
    .values({
      order_id: entry.orderId,
      status: entry.status,
      executor_amount: entry.outcome?.executorAmount ?? 0,
      refund_amount: entry.outcome?.refundAmount ?? 0,
      commission_taken: entry.outcome?.commissionTaken ?? 0,
      actor_id: entry.actorId,
      source: entry.source,
    })
    .execute();
}
