import { type AuthContext, decodeKeysetCursor, encodeKeysetCursor } from '@necp/platform';
import { countLiveApplications } from '../store/applications.ts';
import { listOrders, type OrderFilters, type OrderRow, readOrder } from '../store/orders.ts';
import type { Reader } from '../store/tables.ts';
import { readTimeline } from '../store/timeline.ts';
import type { SocialDeps } from './deps.ts';
import { assertVisible, notFound, viewerOf } from './order-access.ts';
import { orderView } from './order-view.ts';

export async function orderWithCounts(db: Reader, order: OrderRow) {
  const counts = await countLiveApplications(db, [order.order_id]);
  return orderView(order, counts.get(order.order_id) ?? 0);
}

/** A page of the orders the caller may see, newest first. */
export async function ordersFor(
  deps: SocialDeps,
  caller: AuthContext,
  query: OrderFilters & { cursor?: string | undefined; characterId?: string | undefined },
) {
  const after = query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor);
  const viewer = await viewerOf(deps, caller, query.characterId);
  const { rows, next } = await listOrders(deps.db, viewer, query, after);
  const counts = await countLiveApplications(
    deps.db,
    rows.map((row) => row.order_id),
  );
  return {
    items: rows.map((row) => orderView(row, counts.get(row.order_id) ?? 0)),
    nextCursor: next ? encodeKeysetCursor(next) : null,
  };
}

/** One order the caller may see, with its history (transitions, applications, disputes). */
export async function orderDetail(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  characterId: string | undefined,
) {
  const order = await readOrder(deps.db, orderId);
  if (!order) throw notFound(orderId);
  await assertVisible(deps, caller, order, await viewerOf(deps, caller, characterId));
  return { ...(await orderWithCounts(deps.db, order)), history: await timelineOf(deps.db, orderId) };
}

export async function timelineOf(db: Reader, orderId: string) {
  const rows = await readTimeline(db, orderId);
  return rows.map((row) => ({
    kind: row.kind,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    actor: row.actor,
    detail: row.detail as Record<string, unknown>,
    at: row.at.toISOString(),
  }));
}

/** The order's timeline, for whoever may see the order. */
export async function orderTimeline(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  characterId: string | undefined,
) {
  const order = await readOrder(deps.db, orderId);
  if (!order) throw notFound(orderId);
  await assertVisible(deps, caller, order, await viewerOf(deps, caller, characterId));
  return { orderId, items: await timelineOf(deps.db, orderId) };
}
