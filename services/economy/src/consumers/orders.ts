import { idempotentConsumer, type Subscription } from '@necp/platform';
import type { EconomyDeps } from '../flows/deps.ts';
import { settleFromOrderEvent } from '../flows/orders.ts';
import type { EconomyTables } from '../store/tables.ts';

/** `social.orders.lifecycle`: an order's end settles its escrow. */
export function orderLifecycleConsumer(deps: EconomyDeps): Subscription {
  return idempotentConsumer<EconomyTables, 'social.orders.lifecycle'>(
    deps.database,
    'economy.orders',
    ['social.orders.lifecycle'],
    (trx, event) => settleFromOrderEvent(trx, event, deps.logger),
  );
}
