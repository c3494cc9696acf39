import { idempotentConsumer, type Logger, type SqlDatabase, type Subscription, writeEvent } from '@necp/platform';
import type { CharacterRow } from './store/characters.ts';
import { grantCraftedOutput } from './store/inventory-actions.ts';
import type { CharacterTables, Queryable } from './store/tables.ts';

export const Producer = 'character-service';
export const CraftingConsumerGroup = 'character-service.crafting-output';

export type LifecycleKind = 'created' | 'deleted' | 'restored' | 'updated';

/** `characters.lifecycle`, written in the transaction that made the change. */
export async function writeLifecycle(trx: Queryable, kind: LifecycleKind, row: CharacterRow): Promise<void> {
  await writeEvent(trx, Producer, {
    topic: 'characters.lifecycle',
    key: row.id,
    payload: {
      kind,
      characterId: row.id,
      accountId: row.account_id,
      origin: row.origin,
      class: row.class,
      district: row.district,
    },
  });
}

/**
 * A finished crafting job's output goes into the crafter's inventory. The processed-event record
 * stops a redelivered event; the grant's (source, sourceId) key stops a second `completed` event
 * for the same job.
 */
export function craftingSubscription(db: SqlDatabase, logger: Logger): Subscription {
  return idempotentConsumer<CharacterTables, 'economy.crafting.jobs'>(
    db,
    CraftingConsumerGroup,
    ['economy.crafting.jobs'],
    async (trx, event) => {
      if (event.payload.status !== 'completed') return;
      const outcome = await grantCraftedOutput(trx, event.payload);
      if (outcome !== 'granted') logger.warn({ jobId: event.payload.jobId, outcome }, 'crafted output not granted');
    },
  );
}
