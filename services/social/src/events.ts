/**
 * What social publishes: `social.orders.lifecycle`, one event per transition of an order, written
 * in the transaction that makes the transition (economy settles the escrow from it, exactly once).
 */
import { type PlatformTables, writeEvent } from '@necp/platform';
import type { Kysely } from 'kysely';
import type { OrderStatus } from './domain/order-machine.ts';
import type { OrderRow } from './store/orders.ts';
import type { Trx } from './store/tables.ts';

/** The actor of the schedulers' transitions (an event's actorId is a UUID). */
export const SystemActorId = '00000000-0000-0000-0000-000000000000';

export async function publishOrderTransition(
  trx: Trx,
  order: OrderRow,
  fromStatus: OrderStatus | null,
  actorId: string,
): Promise<void> {
  await writeEvent(trx as unknown as Kysely<PlatformTables>, 'social', {
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
