/**
 * The one way a district's level changes (an impact, a reaction to an event, drift, a scenario's
 * end): in the caller's transaction, the districts locked in id order, one history row per change,
 * the dwell clocks moved and one `world.unrest.updates` per change in the outbox.
 */
import { uuidv7 } from '@necp/platform';
import {
  changeLevel,
  dwellTiers,
  isMinor,
  type LevelChange,
  recommendationsFor,
  roundLevel,
  tierOf,
} from '../domain/unrest.ts';
import type { Tier } from '../domain/world-config.ts';
import { publishUnrestUpdate } from '../events.ts';
import { lockDistricts, updateLevel } from '../store/districts.ts';
import { keepDwellTiers } from '../store/dwell.ts';
import { type HistoryRow, insertHistory } from '../store/history.ts';
import type { Trx } from '../store/tables.ts';

export interface UnrestChange {
  districtId: string;
  /** The delta before modifiers. */
  requestedDelta: number;
  /** What the modifiers make of it (1 for the rule table's reactions). */
  multiplier: number;
  sourceType: string;
  sourceId: string;
  actorId: string | null;
}

export interface AppliedChange extends LevelChange {
  impactId: string;
  districtId: string;
  tier: Tier;
  at: Date;
}

/**
 * Applies the changes in order (several to one district add up); a change to a district world
 * does not know moves nothing and is left out of the answer.
 */
export async function applyChanges(trx: Trx, changes: UnrestChange[], at: Date): Promise<AppliedChange[]> {
  const districts = await lockDistricts(trx, [...new Set(changes.map((change) => change.districtId))]);
  const levels = new Map(districts.map((district) => [district.id, district.level]));
  const lastAt = new Map(districts.map((district) => [district.id, district.changed_at.getTime()]));
  const applied: AppliedChange[] = [];
  const history: HistoryRow[] = [];
  for (const change of changes) {
    const level = levels.get(change.districtId);
    if (level === undefined) continue;
    const moved = changeLevel(level, roundLevel(change.requestedDelta * change.multiplier));
    // A district's changes are strictly ordered in time, in the order they took its lock: the
    // history (and its cursor) then lists them as they happened, even when racing requests read
    // the clock in another order or within one millisecond.
    const changedAt = new Date(Math.max(at.getTime(), (lastAt.get(change.districtId) as number) + 1));
    lastAt.set(change.districtId, changedAt.getTime());
    const impactId = uuidv7(changedAt.getTime());
    const tier = tierOf(moved.newLevel);
    levels.set(change.districtId, moved.newLevel);
    history.push({
      id: impactId,
      district_id: change.districtId,
      at: changedAt,
      delta: moved.delta,
      level_after: moved.newLevel,
      source_type: change.sourceType,
      source_id: change.sourceId,
      actor_id: change.actorId,
      requested_delta: change.requestedDelta,
      multiplier: change.multiplier,
    });
    applied.push({ ...moved, impactId, districtId: change.districtId, tier, at: changedAt });
    await publishUnrestUpdate(trx, {
      impactId,
      districtId: change.districtId,
      previousLevel: moved.previousLevel,
      newLevel: moved.newLevel,
      delta: moved.delta,
      tier,
      sourceType: change.sourceType,
      sourceId: change.sourceId,
      minor: isMinor(moved.delta),
      recommendations: recommendationsFor(moved.newLevel).map((recommendation) => recommendation.action),
    });
  }
  await insertHistory(trx, history);
  for (const district of districts) {
    const level = levels.get(district.id) as number;
    const changedAt = new Date(lastAt.get(district.id) as number);
    if (changedAt.getTime() === district.changed_at.getTime()) continue;
    await updateLevel(trx, district.id, level, changedAt);
    await keepDwellTiers(trx, district.id, dwellTiers(tierOf(level)), changedAt);
  }
  return applied;
}
