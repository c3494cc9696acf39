import { type AuthContext, type IdempotencyRequest, type IdempotentResult, runIdempotentCommand } from '@necp/platform';
import type { OrderRow } from '../store/orders.ts';
import type { SocialTables, Trx } from '../store/tables.ts';
import type { SocialDeps } from './deps.ts';
import { assertVisible, rolesOf } from './order-access.ts';
import { orderWithCounts } from './orders-read.ts';
import { type Actor, lockedOrder } from './transition.ts';

export type OrderWork = (trx: Trx, order: OrderRow, actor: Actor, now: Date) => Promise<OrderRow>;

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
  status = 200,
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
    const changed = await work(trx, order, { id: caller.accountId, roles: rolesOf(caller, order) }, now);
    return { status, body: await orderWithCounts(trx, changed) };
  });
}
