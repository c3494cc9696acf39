import type { HttpApp } from '@necp/platform';
import { loadoutOf } from '../domain/sheet.ts';
import { liveCharacter } from '../store/characters.ts';
import { listStacks, toRecord } from '../store/inventory.ts';
import type { CharacterTables } from '../store/tables.ts';
import { InternalPrefix, type RouteDeps } from './context.ts';
import { CharacterIdParams, LoadoutSchema, problems } from './schemas.ts';

/**
 * For other services (role `service`): who owns a live character and what it fights with. Outside
 * the public prefix, so the gateway never forwards it; a deleted character is 404, which is how the
 * ownership check of every service learns that it stopped being anyone's.
 */
export function internalRoutes(app: HttpApp, deps: RouteDeps): void {
  app.get(
    `${InternalPrefix}/:characterId`,
    {
      onRequest: [deps.auth.authenticate, deps.auth.requireRole('service')],
      schema: {
        tags: ['internal'],
        security: [{ bearer: [] }],
        summary: "A character's owner and combat loadout (role service)",
        params: CharacterIdParams,
        response: { 200: LoadoutSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const kysely = deps.db.typed<CharacterTables>();
      const row = await liveCharacter(kysely, request.params.characterId);
      return loadoutOf(toRecord(row), await listStacks(kysely, row.id));
    },
  );
}
