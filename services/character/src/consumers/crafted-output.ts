import { idempotentConsumer, type Logger, loadoutChanged, type Subscription } from '@necp/platform';
import type { CharacterDeps } from '../flows/deps.ts';
import { grantCraftedOutput } from '../flows/grants.ts';
import type { CharacterTables } from '../store/tables.ts';

export const CraftingConsumerGroup = 'character-service.crafting-output';

/**
 * A finished crafting job's output goes into the crafter's inventory. The processed-event record
 * stops a redelivered event; the grant's (source, sourceId) key stops a second `completed` event
 * for the same job.
 */
export function craftedOutputConsumer(deps: CharacterDeps, logger: Logger): Subscription {
  return idempotentConsumer<CharacterTables, 'economy.crafting.jobs'>(
    deps.db,
    CraftingConsumerGroup,
    ['economy.crafting.jobs'],
    async (trx, event) => {
      if (event.payload.status !== 'completed') return;
      const outcome = await grantCraftedOutput(trx, event.payload);
      // Before the commit (a consumer's transaction has no after): a copy read in between keeps the
      // item out until its time bound; an item only arrives here, none leaves.
      if (outcome === 'granted') await loadoutChanged(deps.cache, event.payload.characterId);
      if (outcome !== 'granted') logger.warn({ jobId: event.payload.jobId, outcome }, 'crafted output not granted');
    },
  );
}
