import { idempotentSetConsumer, type Subscription } from '@necp/platform';
import type { WorldDeps } from '../flows/deps.ts';
import { reactToBallistics, reactToCrafting, reactToOrders } from '../flows/reactions.ts';
import type { WorldTables } from '../store/tables.ts';

/*
 * The events the city reacts to, a batch at a time in record order: each batch's effect and its
 * processed-event records commit in one transaction, so a redelivered event moves nothing twice.
 * Every batch locks its districts, and most events fall in a few districts: batches of several
 * partitions side by side only waited for each other's district locks (21 ms on average, 0.4 times
 * per order journey, a connection held meanwhile), so each subscription runs one batch at a time,
 * with the events of all its partitions.
 */
const oneBatchAtATime = { oneBatchAtATime: true };

/** `social.orders.lifecycle`: completed, disputed and cancelled-after-accept orders move their district. */
export function orderReactions(deps: WorldDeps): Subscription {
  return idempotentSetConsumer<WorldTables, 'social.orders.lifecycle'>(
    deps.database,
    'world.orders',
    ['social.orders.lifecycle'],
    (trx, events) => reactToOrders(trx, events, new Date()),
    oneBatchAtATime,
  );
}

/** `combat.ballistics.events`: every 20th in a district raises it. */
export function ballisticsReactions(deps: WorldDeps): Subscription {
  return idempotentSetConsumer<WorldTables, 'combat.ballistics.events'>(
    deps.database,
    'world.ballistics',
    ['combat.ballistics.events'],
    (trx, events) => reactToBallistics(trx, events, new Date()),
    oneBatchAtATime,
  );
}

/** `economy.crafting.jobs`: every 10th completed job in a workshop's district lowers it. */
export function craftingReactions(deps: WorldDeps): Subscription {
  return idempotentSetConsumer<WorldTables, 'economy.crafting.jobs'>(
    deps.database,
    'world.crafting',
    ['economy.crafting.jobs'],
    (trx, events) => reactToCrafting(trx, events, new Date()),
    oneBatchAtATime,
  );
}
