/**
 * Replay: a stored simulation run again from its stored inputs and seed under today's ruleset.
 */
import { isDeepStrictEqual } from 'node:util';
import { AppError, type AuthContext, characterNotOwned, hasAnyRole } from '@necp/platform';
import type { Loadout } from '../domain/names.ts';
import { rulesetChange, rulesetId } from '../domain/ruleset.ts';
import { type ShotRequest, simulateShot } from '../domain/simulate.ts';
import { findSimulation } from '../store/simulations.ts';
import { ActsForAnyCharacter } from './character-loadout.ts';
import type { GameplayDeps } from './deps.ts';
import { type SimulationBody, simulationBody } from './simulations.ts';

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
