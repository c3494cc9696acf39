import { authOf, type HttpApp, IdempotencyHeaders, idempotencyOf, problems, sendResult } from '@necp/platform';
import { activateCurvedShot, activeSkills } from '../flows/abilities.ts';
import type { GameplayDeps } from '../flows/deps.ts';
import { ActivationSchema, ActiveSkillsSchema, CharacterQuery, CurvedShotBody } from './schemas.ts';

const tags = ['skills and abilities'];

/** Under `/api/v1/gameplay/combat`: active skills with their cooldowns, and Curved Shot's activation. */
export function abilityRoutes(app: HttpApp, deps: GameplayDeps): void {
  app.get(
    '/skills/active',
    {
      config: { access: 'caller' },
      schema: {
        tags,
        summary: "The character's combat skills: unlocked, available, cooldownEndsAt, modifiers",
        querystring: CharacterQuery,
        response: { 200: ActiveSkillsSchema, ...problems(400, 403, 404, 502, 503) },
      },
    },
    async (request) => activeSkills(deps, authOf(request), request.query.characterId),
  );

  app.post(
    '/abilities/curved-shot/activate',
    {
      config: { access: 'caller' },
      schema: {
        tags,
        summary: 'Activate Curved Shot: 422 PREREQUISITES_MISSING naming what is missing, 409 ON_COOLDOWN',
        headers: IdempotencyHeaders,
        body: CurvedShotBody,
        response: { 201: ActivationSchema, ...problems(400, 403, 404, 409, 422, 502, 503) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const idempotency = idempotencyOf(request, 'gameplay', caller.accountId);
      return sendResult(reply, await activateCurvedShot(deps, caller, request.body, idempotency));
    },
  );
}
