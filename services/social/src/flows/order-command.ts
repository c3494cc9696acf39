import { type AuthContext, type IdempotencyRequest, type IdempotentResult, runIdempotentCommand } from '@necp/platform';
import type { ChangedOrder, OrderRow } from '../store/orders.ts';
import type { SocialTables, Trx } from '../store/tables.ts';
import type { SocialDeps } from './deps.ts';
import { assertVisible, rolesOf } from './order-access.ts';
import { orderView } from './order-view.ts';
import { orderWithCounts } from './orders-read.ts';
import { type Actor, lockedOrder } from './transition.ts';

export type OrderWork = (trx: Trx, order: OrderRow, actor: Actor, now: Date) => Promise<OrderRow>;

/** A transition whose answer's live applications are known without a query more (its own statement counted them). */
export type PlainTransitionWork = (trx: Trx, order: OrderRow, actor: Actor, now: Date) => Promise<ChangedOrder>;

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

/** `orderCommand` for a transition whose work knows the answer's applications count: no query more. */
export function transitionCommand(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  idempotency: IdempotencyRequest | undefined,
  work: PlainTransitionWork,
): Promise<IdempotentResult> {
  return lockedOrderCommand(deps, caller, orderId, idempotency, async (trx, order, actor, now) => {
    const changed = await work(trx, order, actor, now);
    return orderView(changed, changed.liveApplications);
  });
}

function lockedOrderCommand(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  idempotency: IdempotencyRequest | undefined,
  work: (trx: Trx, order: OrderRow, actor: Actor, now: Date) => Promise<ReturnType<typeof orderView>>,
): Promise<IdempotentResult> {
  return runIdempotentCommand<SocialTables>(deps.database, idempotency, async (trx) => {
    const order = await lockedOrder(trx, orderId);
    await assertVisible(deps, caller, order, {
      all: false,
      accountId: caller.accountId,
      characterId: null,
      faction: null,
    });
    const now = new Date();
    return { status: 200, body: await work(trx, order, { id: caller.accountId, roles: rolesOf(caller, order) }, now) };
  });
}
