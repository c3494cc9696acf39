/**
 * The one way a district's level changes (an impact, a reaction to an event, drift, a scenario's
 * end): in the caller's transaction, the districts locked in id order, one statement per district:
 * one history row per change, the dwell clocks moved and one `world.unrest.updates` per change in the outbox.
 */
import { type OutboxRow, uuidv7 } from '@necp/platform';
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
import { unrestUpdateRow } from '../events.ts';
import { type DistrictMove, type DistrictState, lockDistricts, moveDistrict } from '../store/district-moves.ts';
import type { HistoryRow } from '../store/history.ts';
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
 * does not know moves nothing and is left out of the answer. The districts are locked (in id order)
 * and each one's changes are written in one statement, so a district stays locked for two round
 * trips and the commit, whatever the number of changes.
 */
export async function applyChanges(trx: Trx, changes: UnrestChange[], at: Date): Promise<AppliedChange[]> {
  const applied = new Map<number, AppliedChange>();
  const districts = await lockDistricts(trx, [...new Set(changes.map((change) => change.districtId))]);
  for (const district of districts) {
    const own = changes.flatMap((change, index) => (change.districtId === district.id ? [{ change, index }] : []));
    const { move, moves } = planMove(district, own, at);
    await moveDistrict(trx, move);
    for (const [index, change] of moves) applied.set(index, change);
  }
  return changes.flatMap((_, index) => applied.get(index) ?? []);
}

/** One district's changes in order, from its level as read: the move to write and each change as applied. */
function planMove(district: DistrictState, changes: { change: UnrestChange; index: number }[], at: Date) {
  let level = district.level;
  let lastAt = district.changed_at.getTime();
  const history: HistoryRow[] = [];
  const events: OutboxRow<unknown>[] = [];
  const moves = new Map<number, AppliedChange>();
  for (const { change, index } of changes) {
    const moved = changeLevel(level, roundLevel(change.requestedDelta * change.multiplier));
    // A district's changes are strictly ordered in time, in the order they took its lock: the
    // history (and its cursor) then lists them as they happened, even when racing requests read
    // the clock in another order or within one millisecond.
    const changedAt = new Date(Math.max(at.getTime(), lastAt + 1));
    lastAt = changedAt.getTime();
    const impactId = uuidv7(changedAt.getTime());
    const tier = tierOf(moved.newLevel);
    level = moved.newLevel;
    history.push({
      id: impactId,
      district_id: district.id,
      at: changedAt,
      delta: moved.delta,
      level_after: moved.newLevel,
      source_type: change.sourceType,
      source_id: change.sourceId,
      actor_id: change.actorId,
      requested_delta: change.requestedDelta,
      multiplier: change.multiplier,
    });
    moves.set(index, { ...moved, impactId, districtId: district.id, tier, at: changedAt });
    events.push(
      unrestUpdateRow({
        impactId,
        districtId: district.id,
        previousLevel: moved.previousLevel,
        newLevel: moved.newLevel,
        delta: moved.delta,
        tier,
        sourceType: change.sourceType,
        sourceId: change.sourceId,
        minor: isMinor(moved.delta),
        recommendations: recommendationsFor(moved.newLevel).map((recommendation) => recommendation.action),
      }),
    );
  }
  const move: DistrictMove = {
    district,
    level,
    changedAt: new Date(lastAt),
    history,
    events,
    dwellTiers: dwellTiers(tierOf(level)),
  };
  return { move, moves };
}
