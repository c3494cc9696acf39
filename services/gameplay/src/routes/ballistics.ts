import { authOf, type HttpApp, IdempotencyHeaders, idempotencyOf, problems, sendResult } from '@necp/platform';
import type { GameplayDeps } from '../flows/deps.ts';
import { profileOfTemplate } from '../flows/profiles.ts';
import { replaySimulation } from '../flows/replay.ts';
import { simulate } from '../flows/simulations.ts';
import { combatTelemetry } from '../flows/telemetry.ts';
import {
  CombatParams,
  ProfileParams,
  ProfileSchema,
  ReplaySchema,
  SimulateBody,
  SimulationParams,
  SimulationSchema,
  TelemetrySchema,
} from './schemas.ts';

const tags = ['ballistics'];

/**
 * Under `/api/v1/gameplay/combat/ballistics`: simulate a shot with the character's loadout, weapon
 * profiles, a combat's telemetry, and the replay of a stored simulation. How often a character may
 * simulate is the gateway's rule (RATE_LIMIT_SIMULATIONS_PER_MINUTE, 180).
 */
export function ballisticsRoutes(app: HttpApp, deps: GameplayDeps): void {
  app.post(
    '/simulate',
    {
      config: { access: 'caller' },
      schema: {
        tags,
        summary: "Simulate a shot with the character's weapon, mods, implants and skills; deterministic for a seed",
        headers: IdempotencyHeaders,
        body: SimulateBody,
        response: { 200: SimulationSchema, ...problems(400, 403, 404, 422, 502, 503) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const { flags, ...body } = request.body;
      const input = {
        ...body,
        flags: { curvedShot: flags.curvedShot ?? false, smartAssist: flags.smartAssist ?? false },
      };
      return sendResult(
        reply,
        await simulate(deps, caller, input, idempotencyOf(request, 'gameplay', caller.accountId)),
      );
    },
  );

  app.get(
    '/profiles/:weaponId',
    {
      config: { access: 'caller' },
      schema: {
        tags,
        summary: "A weapon template's profile: damage, range, falloff, ammo, mods, Curved Shot, ricochets",
        params: ProfileParams,
        response: { 200: ProfileSchema, ...problems(400, 404) },
      },
    },
    async (request) => profileOfTemplate(request.params.weaponId),
  );

  app.get(
    '/telemetry/:combatId',
    {
      config: { access: 'caller' },
      schema: {
        tags,
        summary: "A combat's shots, hits, Curved Shot and ricochet use, average damage, by mode",
        params: CombatParams,
        response: { 200: TelemetrySchema, ...problems(400, 403, 404) },
      },
    },
    async (request) => combatTelemetry(deps, authOf(request), request.params.combatId),
  );

  app.get(
    '/simulations/:simulationId/replay',
    {
      config: { access: 'caller' },
      schema: {
        tags,
        summary:
          'Recompute a stored simulation from its inputs and seed; says whether it still holds and names a changed ruleset',
        params: SimulationParams,
        response: { 200: ReplaySchema, ...problems(400, 403, 404) },
      },
    },
    async (request) => replaySimulation(deps, authOf(request), request.params.simulationId),
  );
}
