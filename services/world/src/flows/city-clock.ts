/**
 * The city's clock, as two schedules that run once across replicas (exclusiveSchedule): drift
 * moves a quiet district toward its resting level, escalation starts the scenario of a district
 * that dwelt at or above a tier's floor. What is due lives in the tables (each district's last
 * change, the dwell clocks), so a restart or another replica carries on where the last tick ended.
 */
import type { District } from '@necp/contracts';
import { type ExclusiveSchedule, exclusiveSchedule, type SqlDatabase, uuidv7 } from '@necp/platform';
import { driftDelta, dwellSecondsOf, dwellTiers, quietMsOf, scenarioOf, tierOf, tierRank } from '../domain/unrest.ts';
import { type Tier, worldConfig } from '../domain/world-config.ts';
import { lockQuietDistricts, seedDistricts } from '../store/districts.ts';
import { dueDwells, keepDwellTiers } from '../store/dwell.ts';
import { insertHistory } from '../store/history.ts';
import type { Trx, WorldDb, WorldTables } from '../store/tables.ts';
import { startScenario } from './scenarios.ts';
import { applyChanges } from './unrest-changes.ts';

/** Every district without a change for the quiet hour (game time) moves one point toward 30. */
export async function driftQuietDistricts(trx: Trx, now: Date, timeScale: number): Promise<number> {
  const quiet = await lockQuietDistricts(trx, new Date(now.getTime() - quietMsOf(timeScale)), worldConfig.drift.target);
  const applied = await applyChanges(
    trx,
    quiet.map((district) => ({
      districtId: district.id,
      requestedDelta: driftDelta(district.level),
      multiplier: 1,
      sourceType: 'drift',
      sourceId: district.id,
      actorId: null,
    })),
    now,
  );
  return applied.length;
}

/** Starts, in each district whose dwell is due and that has no active scenario, its highest due tier's scenario. */
export async function escalateDwellingDistricts(trx: Trx, now: Date, timeScale: number): Promise<number> {
  const due = await dueDwells(trx, new Date(now.getTime() - dwellSecondsOf(timeScale) * 1_000));
  const highest = new Map<string, Tier>();
  for (const dwell of due) {
    const tier = dwell.tier as Tier;
    const known = highest.get(dwell.district_id);
    if (known === undefined || tierRank(tier) > tierRank(known)) highest.set(dwell.district_id, tier);
  }
  let started = 0;
  for (const [districtId, tier] of highest) {
    const kind = scenarioOf(tier);
    if (kind && (await startScenario(trx, districtId, kind, 'escalation', null, now))) started++;
  }
  return started;
}

/** Opens the districts that do not exist yet at their starting levels; their dwell clocks start now. */
export async function openCity(db: WorldDb, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const opened = await seedDistricts(trx, worldConfig.startingLevels, now);
    // The starting level is the history's first point (the forecast's line starts there).
    await insertHistory(
      trx,
      opened.map((id) => ({
        id: uuidv7(now.getTime()),
        district_id: id,
        at: now,
        delta: 0,
        level_after: worldConfig.startingLevels[id as District],
        source_type: 'seed',
        source_id: id,
        actor_id: null,
        requested_delta: 0,
        multiplier: 1,
      })),
    );
    for (const id of opened) {
      await keepDwellTiers(trx, id, dwellTiers(tierOf(worldConfig.startingLevels[id as District])), now);
    }
  });
}

export interface CitySchedules {
  drift: ExclusiveSchedule;
  escalation: ExclusiveSchedule;
}

export function citySchedules(database: SqlDatabase, timeScale: number): CitySchedules {
  return {
    drift: exclusiveSchedule<WorldTables>(database, 'world.drift', (trx, now) =>
      driftQuietDistricts(trx, now, timeScale),
    ),
    escalation: exclusiveSchedule<WorldTables>(database, 'world.escalation', (trx, now) =>
      escalateDwellingDistricts(trx, now, timeScale),
    ),
  };
}
