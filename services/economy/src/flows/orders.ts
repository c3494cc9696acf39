import type { EventEnvelope, TopicPayload } from '@necp/contracts';
import { AppError } from '@necp/platform';
import type { Logger } from 'pino';
import { settlementFor } from '../domain/escrow.ts';
import { recordClosedOrder, serializeOrder } from '../store/escrows.ts';
import type { EconomyDb, Trx } from '../store/tables.ts';
import { settleEscrow, settleLockedEscrowAlone } from './escrows.ts';

/**
 * Settles an order's escrow when social says how the order ended; the same outcome asked through the
 * API first makes this a no-op, and a contradicting one is logged, not retried (it can never apply).
 * An order closed before any escrow was held is remembered, so a late lock for it holds nothing.
 */
export async function settleFromOrderEvent(
  trx: Trx,
  event: EventEnvelope<TopicPayload<'social.orders.lifecycle'>>,
  logger: Logger,
): Promise<void> {
  const order = event.payload;
  const plan = settlementFor(order);
  if (!plan) return;
  const settleOrder = () =>
    settleEscrow(trx, order.orderId, plan.settlement, plan.executor, order.actorId, `event:${event.eventId}`);
  try {
    await settleOrder().catch(async (error: unknown) => {
      if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
      // No escrow yet: a lock of this order still being committed ends before we look again.
      await serializeOrder(trx, order.orderId);
      await settleOrder();
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // Still no escrow under the order's lock (nothing written): the order closed before its lock.
    if (error.code === 'NOT_FOUND') await recordClosedOrder(trx, order.orderId, order.toStatus);
    else if (error.code === 'INVALID_STATE')
      logger.warn({ orderId: order.orderId, toStatus: order.toStatus }, error.message);
    else throw error;
  }
}

/**
 * What an order event needs without a transaction: true when it settles nothing (nothing to claim
 * either), or when it settled a locked escrow in one statement with its claim; false when it must
 * go through `settleFromOrderEvent` under the consumer's claim.
 */
export async function settledWithoutTransaction(
  db: EconomyDb,
  event: EventEnvelope<TopicPayload<'social.orders.lifecycle'>>,
  claim: { consumer_group: string; topic: string },
): Promise<boolean> {
  const order = event.payload;
  const plan = settlementFor(order);
  if (!plan) return true;
  return settleLockedEscrowAlone(db, order.orderId, plan.settlement, plan.executor, order.actorId, {
    ...claim,
    event_id: event.eventId,
  });
}
