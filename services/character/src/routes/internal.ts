import { type HttpApp, problems } from '@necp/platform';
import { characterLoadout, characterSkills } from '../flows/character-reads.ts';
import type { CharacterDeps } from '../flows/deps.ts';
import { CharacterIdParams } from './request-schemas.ts';
import { LoadoutSchema, SkillsSchema } from './response-schemas.ts';

const tags = ['internal'];
const services = { access: { roles: ['service'] } } as const;

/**
 * For other services (role `service`), under `/internal/v1/characters`: who owns a live character,
 * what it fights with, and its skills as they are now (economy's crafting checks). Outside the public
 * prefix, so the gateway never forwards them; a deleted character is 404, which is how the ownership
 * check of every service learns that it stopped being anyone's.
 */
export function internalRoutes(app: HttpApp, deps: CharacterDeps): void {
  app.get(
    '/:characterId',
    {
      config: services,
      schema: {
        tags,
        summary: "A character's owner and combat loadout (role service)",
        params: CharacterIdParams,
        response: { 200: LoadoutSchema, ...problems(400, 404) },
      },
    },
    async (request) => characterLoadout(deps, request.params.characterId),
  );

  app.get(
    '/:characterId/skills',
    {
      config: services,
      schema: {
        tags,
        summary: "A character's skills (role service)",
        params: CharacterIdParams,
        response: { 200: SkillsSchema, ...problems(400, 404) },
      },
    },
    async (request) => characterSkills(deps, request.params.characterId),
  );
}
