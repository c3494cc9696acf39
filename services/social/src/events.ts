/**
 * What social publishes: `social.orders.lifecycle`, one event per transition of an order, written
 * in the statement that makes the transition (economy settles the escrow from it, exactly once).
 */

import type { TopicPayload } from '@necp/contracts';
import { type OutboxRow, outboxRow } from '@necp/platform';
import type { OrderStatus } from './domain/order-machine.ts';
import type { OrderRow } from './store/orders.ts';

/** The actor of the schedulers' transitions (an event's actorId is a UUID). */
export const SystemActorId = '00000000-0000-0000-0000-000000000000';

/** The order's fields an event announces. */
export type AnnouncedOrder = Pick<
  OrderRow,
  | 'order_id'
  | 'status'
  | 'customer_character_id'
  | 'executor_character_id'
  | 'order_type'
  | 'district_id'
  | 'reward'
  | 'executor_share_percent'
>;

export type OrderEventRow = OutboxRow<TopicPayload<'social.orders.lifecycle'>>;

/**
 * The outbox row announcing that `order` (as the transition leaves it) came from `fromStatus`: the
 * store writes it in the transition's own statement, so the row's change and its event commit together.
 */
export function orderTransitionEvent(
  order: AnnouncedOrder,
  fromStatus: OrderStatus | null,
  actorId: string,
): OrderEventRow {
  return outboxRow('social', {
    topic: 'social.orders.lifecycle',
    key: order.order_id,
    payload: {
      orderId: order.order_id,
      fromStatus,
      toStatus: order.status,
      actorId,
      customerCharacterId: order.customer_character_id,
      executorCharacterId: order.executor_character_id,
      orderType: order.order_type,
      districtId: order.district_id,
      reward: order.reward,
      ...(order.executor_share_percent === null ? {} : { executorSharePercent: order.executor_share_percent }),
    },
  });
}
