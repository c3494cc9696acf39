/**
 * `simulate`: the shot through the model with the character's real loadout, stored with its inputs,
 * seed and ruleset (telemetry, replay) and announced on `combat.ballistics.events` in the same
 * transaction. A chain of 2 bounces or more cuts a running Curved Shot cooldown (shared cache), and
 * that move is announced on `player.skills.cooldowns` with the shot.
 */
import { randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  AppError,
  type AuthContext,
  characterNotOwned,
  hasAnyRole,
  type IdempotencyRequest,
  type IdempotentResult,
  runIdempotentCommand,
  storedIdempotentAnswer,
  uuidv7,
} from '@necp/platform';
import { cutCooldownAfterRicochet } from '../domain/cooldowns.ts';
import type { Loadout } from '../domain/names.ts';
import { MaxSeed } from '../domain/random.ts';
import { rulesetChange, rulesetFingerprint, rulesetId } from '../domain/ruleset.ts';
import { type ShotRequest, type ShotResult, shotRequestProblems, simulateShot } from '../domain/simulate.ts';
import { publishCooldown, publishShot } from '../events.ts';
import { findSimulation, insertSimulation } from '../store/simulations.ts';
import type { GameplayTables, SimulationMode } from '../store/tables.ts';
import { ActsForAnyCharacter, armedCharacter } from './character-loadout.ts';
import { cooldownEnd, keepCombatOpen, moveCooldownEnd, openCombat } from './combat-state.ts';
import type { GameplayDeps } from './deps.ts';

export interface SimulateInput extends Omit<ShotRequest, 'seed'> {
  characterId: string;
  weaponId: string;
  combatId?: string | undefined;
  linkedOrderId?: string | undefined;
  seed?: number | undefined;
}

interface SimulationIds {
  simulationId: string;
  combatId: string;
  characterId: string;
  weaponId: string;
}

/** The answer of `simulate` (and of a replay): the ids, then the model's result and its ruleset. */
export function simulationBody(ids: SimulationIds, result: ShotResult) {
  return { ...ids, ...result, rulesetFingerprint: rulesetFingerprint() };
}

export type SimulationBody = ReturnType<typeof simulationBody>;

function modeOf(result: ShotResult): SimulationMode {
  if (result.curvedShotUsed) return 'curved_shot';
  return result.ricochetPath.length > 0 ? 'ricochet' : 'direct';
}

const CurvedShotSkill = 'trajectory_sculptor';

export async function simulate(
  deps: GameplayDeps,
  caller: AuthContext,
  input: SimulateInput,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  const earlier = idempotency && (await storedIdempotentAnswer(deps.database, idempotency));
  if (earlier) return earlier;
  const { character, weapon, loadout } = await armedCharacter(deps, caller, input.characterId, input.weaponId);
  const shot: ShotRequest = {
    ammoType: input.ammoType,
    distanceMeters: input.distanceMeters,
    angleDegrees: input.angleDegrees,
    targetArmor: input.targetArmor,
    environmentMaterial: input.environmentMaterial,
    flags: { curvedShot: input.flags.curvedShot, smartAssist: input.flags.smartAssist },
    ...(input.bendAngle === undefined ? {} : { bendAngle: input.bendAngle }),
    seed: input.seed ?? randomInt(0, MaxSeed + 1),
  };
  const problems = shotRequestProblems(shot);
  if (problems.length > 0) {
    throw new AppError('VALIDATION_ERROR', 'The shot is outside the model', {
      errors: problems.map((problem) => ({ path: `/body/${problem.path}`, message: problem.message })),
    });
  }
  const result = simulateShot(loadout, shot);
  const combatId = input.combatId ?? (await openCombat(deps.cache, character.characterId)) ?? uuidv7();
  const ids = { simulationId: uuidv7(), combatId, characterId: character.characterId, weaponId: weapon.itemId };
  const body = simulationBody(ids, result);
  const ruleset = rulesetId();
  const nowMs = Date.now();
  let cutTo: number | null = null;

  const outcome = await runIdempotentCommand<GameplayTables>(deps.database, idempotency, async (trx) => {
    await insertSimulation(trx, {
      id: ids.simulationId,
      combatId,
      characterId: character.characterId,
      accountId: character.accountId,
      weaponId: weapon.itemId,
      weaponClass: weapon.weaponClass,
      request: shot,
      loadout,
      seed: shot.seed,
      rulesetVersion: ruleset.version,
      rulesetFingerprint: ruleset.fingerprint,
      result: body,
      mode: modeOf(result),
      hit: result.hit,
      damageDealt: result.damageDealt,
      ricochetCount: result.ricochetPath.length,
      curvedShotUsed: result.curvedShotUsed,
      district: character.district,
      linkedOrderId: input.linkedOrderId ?? null,
    });
    await publishShot(trx, {
      simulationId: ids.simulationId,
      combatId,
      characterId: character.characterId,
      weaponId: weapon.itemId,
      weaponClass: weapon.weaponClass,
      distance: shot.distanceMeters,
      hit: result.hit,
      damageDealt: result.damageDealt,
      ricochetCount: result.ricochetPath.length,
      curvedShotUsed: result.curvedShotUsed,
      statusEffects: result.statusEffects.filter((status) => status.applied).map((status) => status.effect),
      districtId: character.district,
      linkedOrderId: input.linkedOrderId ?? null,
    });
    cutTo = await ricochetCut(deps, character.characterId, result.ricochetPath.length, nowMs);
    if (cutTo !== null) {
      await publishCooldown(trx, {
        characterId: character.characterId,
        skillId: CurvedShotSkill,
        cooldownEndsAt: new Date(cutTo).toISOString(),
      });
    }
    return { status: 200, body };
  });
  if (!outcome.replayed) {
    await keepCombatOpen(
      deps.cache,
      character.characterId,
      combatId,
      deps.settings.GAMEPLAY_COMBAT_IDLE_SECONDS * 1000,
    );
    if (cutTo !== null) await moveCooldownEnd(deps.cache, character.characterId, CurvedShotSkill, cutTo, nowMs);
  }
  return outcome;
}

/** The running Curved Shot cooldown's new end when this chain cuts it; null when nothing moves. */
async function ricochetCut(deps: GameplayDeps, characterId: string, bounces: number, nowMs: number) {
  const endsAt = await cooldownEnd(deps.cache, characterId, CurvedShotSkill, nowMs);
  const cut = cutCooldownAfterRicochet(endsAt, bounces, { nowMs, timeScale: deps.timeScale });
  return cut === endsAt ? null : cut;
}

/**
 * A stored simulation run again from its inputs and seed under today's ruleset: whether it gives the
 * same body, and, when the ruleset is not the one it ran under, which (version and fingerprint).
 */
export async function replaySimulation(deps: GameplayDeps, caller: AuthContext, simulationId: string) {
  const stored = await findSimulation(deps.db, simulationId);
  if (!stored) throw new AppError('NOT_FOUND', 'No such simulation');
  if (stored.accountId !== caller.accountId && !hasAnyRole(caller, ActsForAnyCharacter)) throw characterNotOwned();
  const storedRuleset = { version: stored.rulesetVersion, fingerprint: stored.rulesetFingerprint };
  const rulesetChanged = rulesetChange(storedRuleset) === 'changed';
  const ids = {
    simulationId: stored.id,
    combatId: stored.combatId,
    characterId: stored.characterId,
    weaponId: stored.weaponId,
  };
  let replayed: SimulationBody | null = null;
  let error: string | null = null;
  try {
    replayed = JSON.parse(
      JSON.stringify(simulationBody(ids, simulateShot(stored.loadout as Loadout, stored.request as ShotRequest))),
    ) as SimulationBody;
  } catch (failure) {
    // A ruleset that no longer accepts the stored inputs (a narrowed limit): said, not a 500.
    error = failure instanceof Error ? failure.message : String(failure);
  }
  const storedBody = stored.result as SimulationBody;
  const differences =
    replayed === null
      ? []
      : Object.keys({ ...storedBody, ...replayed }).filter(
          (field) =>
            !isDeepStrictEqual(
              (storedBody as Record<string, unknown>)[field],
              (replayed as Record<string, unknown>)[field],
            ),
        );
  return {
    simulationId: stored.id,
    seed: stored.seed,
    matches: replayed !== null && differences.length === 0,
    differences,
    error,
    ruleset: { stored: storedRuleset, current: rulesetId(), changed: rulesetChanged },
    stored: storedBody,
    replayed,
  };
}
