import type { OrderRow } from '../store/orders.ts';

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** An order as the API shows it. */
export function orderView(order: OrderRow, applicationsCount: number) {
  return {
    orderId: order.order_id,
    customerCharacterId: order.customer_character_id,
    orderType: order.order_type,
    title: order.title,
    description: order.description,
    districtId: order.district_id,
    reward: order.reward,
    commission: order.commission,
    deadline: order.deadline.toISOString(),
    accessLevel: order.access_level,
    invitedCharacterIds: order.invited_character_ids,
    minExecutorRating: order.min_executor_rating,
    status: order.status,
    executorCharacterId: order.executor_character_id,
    executorSharePercent: order.executor_share_percent,
    delivery: (order.delivery ?? null) as Record<string, unknown> | null,
    escrowStatus: order.escrow_status,
    applicationsCount,
    createdAt: order.created_at.toISOString(),
    updatedAt: order.updated_at.toISOString(),
    publishedAt: iso(order.published_at),
    acceptedAt: iso(order.accepted_at),
    deliveredAt: iso(order.delivered_at),
    finishedAt: iso(order.finished_at),
  };
}
