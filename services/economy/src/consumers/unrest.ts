import { idempotentSetConsumer, type Subscription } from '@necp/platform';
import { recordUnrest } from '../flows/crafting-catalogue.ts';
import type { EconomyDeps } from '../flows/deps.ts';
import type { EconomyTables } from '../store/tables.ts';

/** `world.unrest.updates`, a batch at a time (in record order): crafting in a district in crisis or worse takes longer. */
export function unrestConsumer(deps: EconomyDeps): Subscription {
  return idempotentSetConsumer<EconomyTables, 'world.unrest.updates'>(
    deps.database,
    'economy.unrest',
    ['world.unrest.updates'],
    (trx, events) =>
      recordUnrest(
        trx,
        events.map((event) => event.payload),
      ),
  );
}
