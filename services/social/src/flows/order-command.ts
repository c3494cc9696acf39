import {
  AppError,
  type AuthContext,
  type IdempotencyRequest,
  type IdempotentResult,
  runIdempotentCommand,
  runStatementCommand,
} from '@necp/platform';
import { type ChangedOrder, type OrderRow, readOrder, type Viewer } from '../store/orders.ts';
import type { Reader, SocialTables, Trx } from '../store/tables.ts';
import type { SocialDeps } from './deps.ts';
import { assertVisible, notFound, rolesOf } from './order-access.ts';
import { orderView } from './order-view.ts';
import { orderWithCounts } from './orders-read.ts';
import { type Actor, lockedOrder } from './transition.ts';

export type OrderWork = (trx: Trx, order: OrderRow, actor: Actor, now: Date) => Promise<OrderRow>;

/**
 * A transition whose answer's live applications are known without a query more (its own statement
 * counted them); nothing when its guard found the order moved by a racing transition.
 */
export type PlainTransitionWork = (
  db: Reader,
  order: OrderRow,
  actor: Actor,
  now: Date,
) => Promise<ChangedOrder | undefined>;

/**
 * How a transition command's first attempt begins: on the order a check before it read already, or
 * with a statement that takes the transition without reading the order (`blindTransition`; nothing
 * when it changed no row).
 */
export type Opening = { order: OrderRow } | { blind: (db: Reader, now: Date) => Promise<ChangedOrder | undefined> };

/**
 * A transition command, answered with the order as it now is. With an Idempotency-Key it runs as
 * `orderCommand` does (the key's claim and the change commit together). Without one it takes no
 * lock and no transaction of its own: the order read (or `opening`), then `work`'s guarded change;
 * when a racing transition moved the order between the two, the order is read again and the
 * decision taken anew (409 INVALID_STATE when the move left no way on), as the locked version would
 * have answered. A blind opening that changed nothing is explained the same way: the order read,
 * then 404, 403 or 409 from `work`'s decision.
 */
export function transitionCommand(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  idempotency: IdempotencyRequest | undefined,
  work: PlainTransitionWork,
  opening?: Opening,
): Promise<IdempotentResult> {
  if (idempotency !== undefined) return lockedTransitionCommand(deps, caller, orderId, idempotency, work);
  return runStatementCommand<SocialTables>(deps.database, undefined, async (db) => {
    const answer = (changed: ChangedOrder) => ({ status: 200, body: orderView(changed, changed.liveApplications) });
    if (opening !== undefined && 'blind' in opening) {
      const changed = await opening.blind(db, new Date());
      if (changed) return answer(changed);
    }
    let known = opening !== undefined && 'order' in opening ? opening.order : undefined;
    for (let attempt = 1; ; attempt++) {
      const order = known ?? (await readOrder(db, orderId));
      known = undefined;
      if (!order) throw notFound(orderId);
      await assertVisible(deps, caller, order, ownView(caller));
      const changed = await work(db, order, actorOf(caller, order), new Date());
      if (changed) return answer(changed);
      if (attempt >= 2) throw new AppError('INVALID_STATE', `The order ${orderId} keeps changing; try again`);
    }
  });
}

/**
 * A caller's command on one order: in one transaction (with its Idempotency-Key), the order locked,
 * hidden from whoever may not see it (404), then `work`; answers the order as it now is.
 */
export function orderCommand(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  idempotency: IdempotencyRequest | undefined,
  work: OrderWork,
): Promise<IdempotentResult> {
  return lockedOrderCommand(deps, caller, orderId, idempotency, async (trx, order, actor, now) => {
    const changed = await work(trx, order, actor, now);
    return orderWithCounts(trx, changed);
  });
}

/**
 * A transition command run as `orderCommand` does, the order's row locked first: for a transition
 * whose later statements must see what committed while it waited for the lock. `lock`, when given,
 * locks the row and reads what else the transition needs in the same statement.
 */
export function lockedTransitionCommand<O extends OrderRow = OrderRow>(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  idempotency: IdempotencyRequest | undefined,
  work: (trx: Trx, order: O, actor: Actor, now: Date) => Promise<ChangedOrder | undefined>,
  lock?: (trx: Trx) => Promise<O | undefined>,
): Promise<IdempotentResult> {
  return lockedOrderCommand<O>(
    deps,
    caller,
    orderId,
    idempotency,
    async (trx, order, actor, now) => {
      const changed = await work(trx, order, actor, now);
      if (!changed) throw new AppError('INVALID_STATE', `The order ${orderId} changed under its lock`);
      return orderView(changed, changed.liveApplications);
    },
    lock,
  );
}

const ownView = (caller: AuthContext): Viewer => ({
  all: false,
  accountId: caller.accountId,
  characterId: null,
  faction: null,
});

const actorOf = (caller: AuthContext, order: OrderRow): Actor => ({
  id: caller.accountId,
  roles: rolesOf(caller, order),
});

function lockedOrderCommand<O extends OrderRow = OrderRow>(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  idempotency: IdempotencyRequest | undefined,
  work: (trx: Trx, order: O, actor: Actor, now: Date) => Promise<ReturnType<typeof orderView>>,
  lock?: (trx: Trx) => Promise<O | undefined>,
): Promise<IdempotentResult> {
  return runIdempotentCommand<SocialTables>(deps.database, idempotency, async (trx) => {
    const order = lock ? await lock(trx) : ((await lockedOrder(trx, orderId)) as O);
    if (!order) throw notFound(orderId);
    await assertVisible(deps, caller, order, ownView(caller));
    return { status: 200, body: await work(trx, order, actorOf(caller, order), new Date()) };
  });
}
