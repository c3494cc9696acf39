/**
 * `simulate`: the shot through the model with the character's real loadout, stored with its inputs,
 * seed and ruleset (telemetry, replay) and announced on `combat.ballistics.events` in the same
 * transaction. A chain of 2 bounces or more cuts a running Curved Shot cooldown (shared cache), and
 * that move is announced on `player.skills.cooldowns` with the shot.
 */
import { randomInt } from 'node:crypto';
import {
  AppError,
  type AuthContext,
  type IdempotencyRequest,
  type IdempotentResult,
  type OutboxRow,
  runIdempotentCommand,
  storedIdempotentAnswer,
  uuidv7,
} from '@necp/platform';
import { ballisticsConfig } from '../domain/ballistics-config.ts';
import { cutCooldownAfterRicochet } from '../domain/cooldowns.ts';
import type { Loadout } from '../domain/names.ts';
import { MaxSeed } from '../domain/random.ts';
import { rulesetFingerprint, rulesetId } from '../domain/ruleset.ts';
import { type ShotRequest, type ShotResult, shotRequestProblems, simulateShot } from '../domain/simulate.ts';
import { cooldownEvent, shotEvent } from '../events.ts';
import { recordSimulation, type SimulationRecord } from '../store/simulations.ts';
import type { GameplayTables, SimulationMode } from '../store/tables.ts';
import { armedCharacter, type CombatCharacter, type CombatWeapon } from './character-loadout.ts';
import { keepCombatOpen, moveCooldownEnd, shotState } from './combat-state.ts';
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

/** The skill whose cooldown a ricochet chain cuts: Curved Shot's. */
const CurvedShotSkill = ballisticsConfig.curvedShot.requiredSkill;

export async function simulate(
  deps: GameplayDeps,
  caller: AuthContext,
  input: SimulateInput,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  const earlier = idempotency && (await storedIdempotentAnswer(deps.database, idempotency));
  if (earlier) return earlier;
  const nowMs = Date.now();
  // The combat state and the loadout's version first: the version decides whether a kept copy answers.
  const state = await shotState(deps.cache, input.characterId.toLowerCase(), CurvedShotSkill, nowMs);
  const { character, weapon, loadout } = await armedCharacter(
    deps,
    caller,
    input.characterId,
    input.weaponId,
    state.loadoutVersion,
  );
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
  const combatId = input.combatId ?? state.openCombatId ?? uuidv7();
  const ids = { simulationId: uuidv7(), combatId, characterId: character.characterId, weaponId: weapon.itemId };
  const body = simulationBody(ids, result);

  // A chain that cuts a running Curved Shot cooldown moves its end (never before now).
  const cut = cutCooldownAfterRicochet(state.cooldownEndsAtMs, result.ricochetPath.length, {
    nowMs,
    timeScale: deps.timeScale,
  });
  const cutTo = cut === state.cooldownEndsAtMs ? null : cut;
  const shotOf = { ids, character, weapon, shot, result, loadout, linkedOrderId: input.linkedOrderId ?? null };
  const record = simulationRecord(shotOf, body);
  const events = simulationEvents(shotOf, cutTo);
  // Without a key, the simulation and its events join the next group commit; with one, the key's
  // claim and stored answer commit in the same transaction.
  let outcome: IdempotentResult = { status: 200, body, replayed: false };
  if (idempotency) {
    outcome = await runIdempotentCommand<GameplayTables>(deps.database, idempotency, async (trx) => {
      await recordSimulation(trx, record, events);
      return { status: 200, body };
    });
  } else {
    await deps.simulationWrites.write({ simulation: record, events });
  }
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

interface FiredShot {
  ids: SimulationIds;
  character: CombatCharacter;
  weapon: CombatWeapon;
  shot: ShotRequest;
  result: ShotResult;
  loadout: Loadout;
  linkedOrderId: string | null;
}

/** The stored simulation: inputs, seed, ruleset, the answer, and what telemetry sums. */
function simulationRecord(fired: FiredShot, body: SimulationBody): SimulationRecord {
  const { ids, character, weapon, shot, result } = fired;
  const ruleset = rulesetId();
  return {
    id: ids.simulationId,
    combatId: ids.combatId,
    characterId: character.characterId,
    accountId: character.accountId,
    weaponId: weapon.itemId,
    weaponClass: weapon.weaponClass,
    request: shot,
    loadout: fired.loadout,
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
    linkedOrderId: fired.linkedOrderId,
  };
}

/** The shot's `combat.ballistics.events`, and `player.skills.cooldowns` when it moved a cooldown's end. */
function simulationEvents(fired: FiredShot, cutTo: number | null): [OutboxRow<unknown>, ...OutboxRow<unknown>[]] {
  const { ids, character, weapon, shot, result } = fired;
  const events: [OutboxRow<unknown>, ...OutboxRow<unknown>[]] = [
    shotEvent({
      simulationId: ids.simulationId,
      combatId: ids.combatId,
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
      linkedOrderId: fired.linkedOrderId,
    }),
  ];
  if (cutTo !== null) {
    events.push(
      cooldownEvent({
        characterId: character.characterId,
        skillId: CurvedShotSkill,
        cooldownEndsAt: new Date(cutTo).toISOString(),
      }),
    );
  }
  return events;
}
