import { defineService, VersionedCopies } from '@necp/platform';
import { craftedOutputConsumer } from './consumers/crafted-output.ts';
import { Producer } from './events.ts';
import type { CharacterDeps } from './flows/deps.ts';
import { characterRoutes } from './routes/characters.ts';
import { internalRoutes } from './routes/internal.ts';
import { inventoryRoutes } from './routes/inventory.ts';
import { referenceRoutes } from './routes/reference.ts';
import { CharacterSettingsSchema } from './settings.ts';
import { findCharacter, type SheetRow } from './store/characters.ts';
import type { CharacterTables } from './store/tables.ts';

const Characters = '/api/v1/characters';

/** character-service: characters of each account and their inventory. */
export const characterService = defineService<CharacterDeps>({
  name: 'character',
  description: 'NECP character-service: characters of each account and their inventory',
  migrations: new URL('../migrations/', import.meta.url),
  producer: Producer,
  build({ db, cache, characterAccess, settings }) {
    const { CHARACTER_SHEET_COPY_SECONDS, CHARACTER_SHEET_COPIES } = settings(CharacterSettingsSchema);
    const kysely = db.typed<CharacterTables>();
    // This service's table is the truth about owners: it never asks itself over HTTP.
    const access = characterAccess({
      projection: async (characterId) => {
        const character = await findCharacter(kysely, characterId);
        return character && { accountId: character.accountId, deleted: character.deletedAt !== null };
      },
      askCharacterService: false,
    });
    const sheets = new VersionedCopies<SheetRow>({
      ttlSeconds: CHARACTER_SHEET_COPY_SECONDS,
      limit: CHARACTER_SHEET_COPIES,
    });
    return { db, kysely, access, cache, sheets };
  },
  routes: [
    { prefix: Characters, routes: referenceRoutes },
    { prefix: Characters, routes: characterRoutes },
    { prefix: Characters, routes: inventoryRoutes },
    { prefix: '/internal/v1/characters', routes: internalRoutes },
  ],
  consumers: (deps, { logger }) => [craftedOutputConsumer(deps, logger)],
});
