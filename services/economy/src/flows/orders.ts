import type { EventEnvelope, TopicPayload } from '@necp/contracts';
import { AppError } from '@necp/platform';
import type { Logger } from 'pino';
import { settlementFor } from '../domain/escrow.ts';
import { recordClosedOrder, serializeOrder } from '../store/escrows.ts';
import type { Trx } from '../store/tables.ts';
import { settleEscrow } from './escrows.ts';

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
