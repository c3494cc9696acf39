import { idempotentConsumer, type Subscription, validatedEvent } from '@necp/platform';
import type { EconomyDeps } from '../flows/deps.ts';
import { settledWithoutTransaction, settleFromOrderEvent } from '../flows/orders.ts';
import type { EconomyTables } from '../store/tables.ts';

const GROUP = 'economy.orders';
const TOPIC = 'social.orders.lifecycle';

/**
 * `social.orders.lifecycle`: an order's end settles its escrow. Most of the topic's events (an
 * order created, published, applied, …) settle nothing and cost no statement; the end of an order
 * whose escrow is locked settles it in one statement with its claim (no transaction around it);
 * anything else (a duplicate, a reordered end before its lock, an escrow already ended) takes the
 * idempotent consumer's transaction, which claims the event and settles or records under it.
 */
export function orderLifecycleConsumer(deps: EconomyDeps): Subscription {
  const transactional = idempotentConsumer<EconomyTables, typeof TOPIC>(deps.database, GROUP, [TOPIC], (trx, event) =>
    settleFromOrderEvent(trx, event, deps.logger),
  );
  return {
    group: GROUP,
    topics: [TOPIC],
    handle: async (record) => {
      const event = validatedEvent<typeof TOPIC>(record);
      if (await settledWithoutTransaction(deps.db, event, { consumer_group: GROUP, topic: record.topic })) return;
      await transactional.handle(record);
    },
  };
}
