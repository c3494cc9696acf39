/**
 * One transition of an order: the state machine's decision on the order as read, then the row's
 * change (guarded by the status it was read in), the timeline line and the `social.orders.lifecycle`
 * event in one statement; an order that ends refreshes its parties' ratings.
 */
import { AppError, type AuthContext, hasAnyRole, outboxRowToFill } from '@necp/platform';
import { type SqlBool, sql, type Updateable } from 'kysely';
import {
  decide,
  finalStatuses,
  type OrderAction,
  type OrderRole,
  type OrderStatus,
  transitions,
} from '../domain/order-machine.ts';
import { type OrderEventRow, orderTransitionEvent, SystemActorId } from '../events.ts';
import {
  type ChangedOrder,
  changeOrder,
  lockOrder,
  type OrderEventToFill,
  type OrderGuard,
  type OrderRow,
} from '../store/orders.ts';
import type { OrderTable, Reader, Trx } from '../store/tables.ts';
import type { TimelineEntry } from '../store/timeline.ts';
import { Arbiters } from './order-access.ts';
import { historyRules, saveScores } from './ratings.ts';

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

/** What a transition writes besides its event: the row's change and its timeline line, as the machine decided. */
function writesOf(
  decision: { from: OrderStatus; to: OrderStatus },
  action: OrderAction,
  actorId: string,
  now: Date,
  change: Omit<Updateable<OrderTable>, 'status' | 'updated_at'>,
  detail: Record<string, unknown>,
) {
  const { from, to } = decision;
  const ends = finalStatuses.includes(to);
  const entry: TimelineEntry = {
    kind: 'transition',
    fromStatus: from,
    toStatus: to,
    actor: actorId === SystemActorId ? 'system' : actorId,
    detail: { action, ...detail },
    at: now,
  };
  const row: Updateable<OrderTable> = { ...change, status: to, updated_at: now, ...(ends ? { finished_at: now } : {}) };
  return { from, ends, change: row, entry };
}

/** What a transition writes: the row's change, its timeline line and its event, as the machine decides them. */
export function transitionWrites(
  order: OrderRow,
  action: OrderAction,
  actor: Actor,
  now: Date,
  change: Omit<Updateable<OrderTable>, 'status' | 'updated_at'> = {},
  detail: Record<string, unknown> = {},
) {
  const decision = assertAllowed(order, action, actor);
  // The guard holds the row as read: after the statement it is `order` with `change`, which the event announces.
  const next = { ...order, ...change, status: decision.to };
  const event = orderTransitionEvent(
    {
      order_id: order.order_id,
      status: decision.to,
      customer_character_id: next.customer_character_id,
      executor_character_id: next.executor_character_id,
      order_type: next.order_type,
      district_id: next.district_id,
      reward: next.reward,
      executor_share_percent: next.executor_share_percent,
    },
    decision.from,
    actor.id,
  );
  return { ...writesOf(decision, action, actor.id, now, change, detail), event };
}

/** A transition's arguments: the order as read, the action, who takes it, when, and what else it changes. */
type Move = Parameters<typeof transitionWrites>;

interface Writes extends ReturnType<typeof writesOf> {
  event: OrderEventRow | OrderEventToFill;
}

/**
 * The writes in one statement guarded by the status they leave (and `guard`); when the order ends,
 * the same statement counts its parties' histories as the change leaves them, and the scores they
 * earn are written by the next. Outside a transaction the two commit apart: a crash between them
 * leaves the stored scores as they were until the party's next ended order or review recomputes
 * them from the history (the history is the truth; a stored score is what it last earned).
 */
async function writeTransition(
  db: Reader,
  orderId: string,
  writes: Writes,
  now: Date,
  guard?: OrderGuard,
): Promise<ChangedOrder | undefined> {
  const histories = writes.ends ? { now, rules: historyRules } : undefined;
  const updated = await changeOrder(
    db,
    orderId,
    writes.from,
    writes.change,
    writes.entry,
    writes.event,
    guard,
    histories,
  );
  if (updated?.histories && updated.executor_character_id !== null) {
    await saveScores(db, updated.histories, now, true);
  }
  return updated;
}

/**
 * A transition guarded by the status `order` was read in: nothing when a racing transition moved the
 * order first. Without the row's lock it is one statement, or one transaction with the parties'
 * ratings when the order ends.
 */
export async function guardedTransition(db: Reader, move: Move, guard?: OrderGuard): Promise<ChangedOrder | undefined> {
  return writeTransition(db, move[0].order_id, transitionWrites(...move), move[3], guard);
}

/**
 * What a caller's transition writes when it does not read the order first, for an action that leaves
 * one status: the writes (the event built from the row the statement changes) and the guard that is
 * the machine's decision (the status it leaves, and the caller in a role that may take it: the
 * order's customer or executor by account, or an arbiter by token).
 */
export function blindWrites(
  orderId: string,
  action: OrderAction,
  caller: AuthContext,
  now: Date,
  change: Omit<Updateable<OrderTable>, 'status' | 'updated_at'> = {},
  detail: Record<string, unknown> = {},
): { writes: Writes & { event: OrderEventToFill }; callerMay: OrderGuard } {
  const { from, to, roles } = transitions[action];
  const [leaves] = from;
  if (leaves === undefined || from.length !== 1) throw new Error(`${action} leaves more than one status`);
  const writes = writesOf({ from: leaves, to }, action, caller.accountId, now, change, detail);
  const event: OrderEventToFill = {
    row: outboxRowToFill('social', 'social.orders.lifecycle', orderId),
    fromStatus: leaves,
    actorId: caller.accountId,
  };
  const arbiter = hasAnyRole(caller, Arbiters);
  const callerMay: OrderGuard = (eb) =>
    eb.or([
      ...(roles.includes('customer') ? [eb('customer_account_id', '=', caller.accountId)] : []),
      ...(roles.includes('executor') ? [eb('executor_account_id', '=', caller.accountId)] : []),
      ...(roles.includes('arbiter') && arbiter ? [sql<SqlBool>`true`] : []),
    ]);
  return { writes: { ...writes, event }, callerMay };
}

/**
 * A caller's transition taken without reading the order first (`blindWrites`): the statement itself
 * is the machine's decision. Nothing when it changed no row: the order is then read to say why (404,
 * 403 or 409), as a transition decided on the read order would.
 */
export function blindTransition(
  db: Reader,
  ...move: Parameters<typeof blindWrites>
): Promise<ChangedOrder | undefined> {
  const { writes, callerMay } = blindWrites(...move);
  return writeTransition(db, move[0], writes, move[3], callerMay);
}

/** A transition of the order locked in `trx`: its status is the one read, so the guard always holds. */
export async function transition(trx: Trx, ...move: Move): Promise<ChangedOrder> {
  const updated = await guardedTransition(trx, move);
  if (!updated) throw new AppError('INVALID_STATE', `The order ${move[0].order_id} changed under its lock`);
  return updated;
}
