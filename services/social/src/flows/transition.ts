/**
 * One transition of an order, in the caller's transaction: the state machine's decision, then the
 * row's change, the timeline line and the `social.orders.lifecycle` event in one statement; an order that
 * ends refreshes its parties' ratings.
 */
import { AppError } from '@necp/platform';
import type { Updateable } from 'kysely';
import { decide, finalStatuses, type OrderAction, type OrderRole } from '../domain/order-machine.ts';
import { orderTransitionEvent, SystemActorId } from '../events.ts';
import { type ChangedOrder, changeOrder, lockOrder, type OrderRow } from '../store/orders.ts';
import type { OrderTable, Trx } from '../store/tables.ts';
import { refreshRatings } from './ratings.ts';

export interface Actor {
  /** An account id, or SystemActorId for the schedulers (the event's actorId). */
  id: string;
  roles: readonly OrderRole[];
}

/** The order locked for a transition; 404 when it does not exist. */
export async function lockedOrder(trx: Trx, orderId: string): Promise<OrderRow> {
  const order = await lockOrder(trx, orderId);
  if (!order) throw new AppError('NOT_FOUND', `No order ${orderId}`);
  return order;
}

/** 403 or 409 unless `actor` may take `action` on `order` now. */
export function assertAllowed(order: OrderRow, action: OrderAction, actor: Actor) {
  const decision = decide(action, order.status, actor.roles);
  if (!decision.ok) throw new AppError(decision.code, decision.detail);
  return decision;
}

export async function transition(
  trx: Trx,
  order: OrderRow,
  action: OrderAction,
  actor: Actor,
  now: Date,
  change: Omit<Updateable<OrderTable>, 'status' | 'updated_at'> = {},
  detail: Record<string, unknown> = {},
): Promise<ChangedOrder> {
  const { from, to } = assertAllowed(order, action, actor);
  const ends = finalStatuses.includes(to);
  // The row is locked: after the statement it is `order` with `change`, which the event announces.
  const next = { ...order, ...change, status: to };
  const event = orderTransitionEvent(
    {
      order_id: order.order_id,
      status: to,
      customer_character_id: next.customer_character_id,
      executor_character_id: next.executor_character_id,
      order_type: next.order_type,
      district_id: next.district_id,
      reward: next.reward,
      executor_share_percent: next.executor_share_percent,
    },
    from,
    actor.id,
  );
  const updated = await changeOrder(
    trx,
    order.order_id,
    { ...change, status: to, updated_at: now, ...(ends ? { finished_at: now } : {}) },
    {
      kind: 'transition',
      fromStatus: from,
      toStatus: to,
      actor: actor.id === SystemActorId ? 'system' : actor.id,
      detail: { action, ...detail },
      at: now,
    },
    event,
  );
  if (ends && updated.executor_character_id !== null) {
    const parties = [
      { characterId: updated.executor_character_id, role: 'executor' },
      { characterId: updated.customer_character_id, role: 'customer' },
    ] as const;
    await refreshRatings(trx, parties, now, true);
  }
  return updated;
}
