/**
 * What economy consumes: `characters.lifecycle` (the ownership projection and, on `created`, the
 * starting kit). It publishes `economy.escrow.events` and `economy.crafting.jobs` through the outbox.
 */
import { idempotentConsumer, type SqlDatabase, type Subscription } from '@necp/platform';
import { recordCharacter } from './store/characters-store.ts';
import type { EconomyTables } from './store/tables.ts';
import { grantStartingKit } from './store/wallet-ops.ts';

export const ConsumerGroups = {
  characters: 'economy.characters',
} as const;

export function characterLifecycleConsumer(db: SqlDatabase): Subscription {
  return idempotentConsumer<EconomyTables, 'characters.lifecycle'>(
    db,
    ConsumerGroups.characters,
    ['characters.lifecycle'],
    async (trx, event) => {
      await recordCharacter(trx, event.payload);
      // The kit's client refs name the character, so a re-emitted `created` (new eventId) grants nothing twice.
      if (event.payload.kind === 'created')
        await grantStartingKit(trx, event.payload.characterId, event.payload.origin);
    },
  );
}
