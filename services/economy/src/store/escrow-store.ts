import { AppError, writeEvent } from '@necp/platform';
import { sql } from 'kysely';
import { CURRENCY } from '../domain/catalogue.ts';
import { type Outcome, type Settlement, settle } from '../domain/escrow.ts';
import type { AccountRef } from '../domain/ledger.ts';
import {
  characterAccount,
  type EconomyDb,
  houseAccount,
  type MovementLeg,
  ownerKey,
  type Trx,
} from './ledger-store.ts';
import { platformView } from './platform-view.ts';
import type { EscrowStatus } from './tables.ts';
import { moveOrRefuse } from './wallet-ops.ts';

export interface EscrowView {
  orderId: string;
  payerCharacterId: string;
  status: EscrowStatus;
  amount: number;
  commission: number;
  executorCharacterId: string | null;
  executorAmount: number;
  refundAmount: number;
  commissionTaken: number;
  createdAt: string;
  updatedAt: string;
  history: {
    status: EscrowStatus;
    executorAmount: number;
    refundAmount: number;
    commissionTaken: number;
    source: string;
    at: string;
  }[];
}

const escrowAccount = (orderId: string): AccountRef => ({
  kind: 'escrow',
  ownerId: ownerKey(orderId),
  asset: CURRENCY,
});

/**
 * One writer at a time per order between a lock and a settlement event: without it, an event
 * that closes the order could miss a lock still being committed, and the lock then holds eddies
 * no settlement will release.
 */
export async function serializeOrder(trx: Trx, orderId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`escrow:${ownerKey(orderId)}`}))`.execute(trx);
}

/** Remembers an order social closed before any escrow was held for it (see `lockEscrow`). */
export async function recordClosedOrder(trx: Trx, orderId: string, orderStatus: string): Promise<void> {
  await trx
    .insertInto('mvp_core.escrow_closed_orders')
    .values({ order_id: orderId, order_status: orderStatus })
    .onConflict((conflict) => conflict.column('order_id').doNothing())
    .execute();
}

async function lockRow(trx: Trx, orderId: string) {
  return trx.selectFrom('mvp_core.escrows').selectAll().where('order_id', '=', orderId).forUpdate().executeTakeFirst();
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

async function record(trx: Trx, orderId: string, outcome: Outcome | undefined, actorId: string | null, source: string) {
  const escrow = (await readEscrow(trx, orderId)) as EscrowView;
  await trx
    .insertInto('mvp_core.escrow_history')
    .values({
      order_id: orderId,
      status: escrow.status,
      executor_amount: outcome?.executorAmount ?? 0,
      refund_amount: outcome?.refundAmount ?? 0,
      commission_taken: outcome?.commissionTaken ?? 0,
      actor_id: actorId,
      source,
    })
    .execute();
  await writeEvent(platformView(trx), 'economy', {
    topic: 'economy.escrow.events',
    key: orderId,
    payload: {
      orderId,
      status: escrow.status,
      amount: escrow.amount,
      commission: escrow.commission,
      executorAmount: escrow.executorAmount,
      refundAmount: escrow.refundAmount,
    },
  });
}

export interface LockRequest {
  orderId: string;
  payerCharacterId: string;
  amount: number;
  commission: number;
}

/**
 * Holds amount + commission from the payer; a repeat for the same order returns the first lock.
 * An order social already closed holds nothing: 409 INVALID_STATE.
 */
export async function lockEscrow(trx: Trx, request: LockRequest, actorId: string | null): Promise<EscrowView> {
  const input = {
    ...request,
    orderId: ownerKey(request.orderId),
    payerCharacterId: ownerKey(request.payerCharacterId),
  };
  await serializeOrder(trx, input.orderId);
  const existing = await lockRow(trx, input.orderId);
  if (!existing) {
    const closed = await trx
      .selectFrom('mvp_core.escrow_closed_orders')
      .select('order_status')
      .where('order_id', '=', input.orderId)
      .executeTakeFirst();
    if (closed) {
      throw new AppError('INVALID_STATE', `Order ${input.orderId} is already ${closed.order_status}: nothing to hold`);
    }
    const { transfers, replayed } = await moveOrRefuse(trx, [
      {
        type: 'pending',
        clientRef: `escrow:${input.orderId}:hold`,
        debit: characterAccount(input.payerCharacterId, CURRENCY),
        credit: escrowAccount(input.orderId),
        amount: input.amount + input.commission,
        reason: 'escrow_lock',
        actorId: actorId ?? undefined,
      },
    ]);
    // A racing lock of the same order committed the hold and its escrow row together; ours found the hold.
    if (!replayed) {
      await trx
        .insertInto('mvp_core.escrows')
        .values({
          order_id: input.orderId,
          payer_character_id: input.payerCharacterId,
          amount: input.amount,
          commission: input.commission,
          status: 'locked',
          hold_transfer_id: (transfers[0] as { id: string }).id,
        })
        .execute();
      await record(trx, input.orderId, undefined, actorId, 'lock');
    }
  }
  const escrow = (await readEscrow(trx, input.orderId)) as EscrowView;
  if (
    escrow.payerCharacterId !== input.payerCharacterId ||
    escrow.amount !== input.amount ||
    escrow.commission !== input.commission
  ) {
    throw new AppError('CONFLICT', `Order ${input.orderId} already has an escrow with other terms`);
  }
  return escrow;
}

/**
 * Ends a locked escrow once. Asking again for the outcome it already had (the same status, amounts
 * and executor) answers the current state and moves nothing; asking for another outcome is 409
 * INVALID_STATE, so a second settlement with other terms (a split at another share, a release to
 * another executor) is told it did not apply.
 */
export async function settleEscrow(
  trx: Trx,
  order: string,
  settlement: Settlement,
  executor: string | null,
  actorId: string | null,
  source: string,
): Promise<EscrowView> {
  const orderId = ownerKey(order);
  const executorCharacterId = executor === null ? null : ownerKey(executor);
  const row = await lockRow(trx, orderId);
  if (!row) throw new AppError('NOT_FOUND', `No escrow for order ${orderId}`);
  const outcome = settle({ amount: Number(row.amount), commission: Number(row.commission) }, settlement);
  if (row.status !== 'locked') {
    const sameOutcome =
      row.status === outcome.status &&
      Number(row.executor_amount) === outcome.executorAmount &&
      Number(row.refund_amount) === outcome.refundAmount &&
      Number(row.commission_taken) === outcome.commissionTaken &&
      (outcome.executorAmount === 0 || row.executor_character_id?.toLowerCase() === executorCharacterId?.toLowerCase());
    if (sameOutcome) return (await readEscrow(trx, orderId)) as EscrowView;
    const terms = row.status === outcome.status ? ', with other terms' : '';
    throw new AppError('INVALID_STATE', `The escrow of order ${orderId} is already ${row.status}${terms}`);
  }
  if (outcome.executorAmount > 0 && !executorCharacterId) {
    throw new AppError('VALIDATION_ERROR', 'This outcome pays an executor: executorCharacterId is required', {
      errors: [{ path: 'body/executorCharacterId', message: 'is required' }],
    });
  }
  const toEscrow = outcome.executorAmount + outcome.commissionTaken;
  const legs: MovementLeg[] = [];
  if (toEscrow === 0) {
    legs.push({
      type: 'void',
      clientRef: `escrow:${orderId}:void`,
      pendingId: row.hold_transfer_id,
      reason: 'escrow_refund',
    });
  } else {
    // Posting less than the hold releases the rest to the payer: the refund needs no leg of its own.
    legs.push({
      type: 'post',
      clientRef: `escrow:${orderId}:post`,
      pendingId: row.hold_transfer_id,
      amount: toEscrow,
      reason: 'escrow_settle',
    });
    if (outcome.executorAmount > 0 && executorCharacterId) {
      legs.push({
        type: 'posted',
        clientRef: `escrow:${orderId}:executor`,
        debit: escrowAccount(orderId),
        credit: characterAccount(executorCharacterId, CURRENCY),
        amount: outcome.executorAmount,
        reason: 'escrow_payout',
      });
    }
    if (outcome.commissionTaken > 0) {
      legs.push({
        type: 'posted',
        clientRef: `escrow:${orderId}:commission`,
        debit: escrowAccount(orderId),
        credit: houseAccount(CURRENCY),
        amount: outcome.commissionTaken,
        reason: 'commission',
      });
    }
  }
  await moveOrRefuse(
    trx,
    legs.map((leg) => ({ ...leg, actorId: actorId ?? undefined })),
  );
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
  await record(trx, orderId, outcome, actorId, source);
  return (await readEscrow(trx, orderId)) as EscrowView;
}
