import { readOrder } from '../store/orders.ts';
import type { SocialDeps } from './deps.ts';
import { notFound } from './order-access.ts';

/** An order's customer and status, for another service. */
export async function orderFacts(deps: SocialDeps, orderId: string) {
  const order = await readOrder(deps.db, orderId);
  if (!order) throw notFound(orderId);
  return { orderId: order.order_id, customerCharacterId: order.customer_character_id, status: order.status };
}
