import type { HttpApp } from '@necp/platform';
import { loadoutOf } from '../domain/sheet.ts';
import { liveCharacter } from '../store/characters.ts';
import { listStacks, toRecord } from '../store/inventory.ts';
import type { CharacterTables } from '../store/tables.ts';
import { InternalPrefix, type RouteDeps } from './context.ts';
import { CharacterIdParams, LoadoutSchema, problems, SkillsSchema } from './schemas.ts';

/**
 * For other services (role `service`): who owns a live character, what it fights with, and its
 * skills as they are now (economy's crafting checks). Outside the public prefix, so the gateway never
 * forwards them; a deleted character is 404, which is how the ownership check of every service
 * learns that it stopped being anyone's.
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

  app.get(
    `${InternalPrefix}/:characterId/skills`,
    {
      onRequest: [deps.auth.authenticate, deps.auth.requireRole('service')],
      schema: {
        tags: ['internal'],
        security: [{ bearer: [] }],
        summary: "A character's skills (role service)",
        params: CharacterIdParams,
        response: { 200: SkillsSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      // One row, no inventory: the skills are the character's own column.
      const row = await liveCharacter(deps.db.typed<CharacterTables>(), request.params.characterId);
      return { characterId: row.id, skills: row.skills };
    },
  );
}
