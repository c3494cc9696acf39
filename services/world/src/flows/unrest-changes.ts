/**
 * The one way a district's level changes (an impact, a reaction to an event, drift, a scenario's
 * end): in the caller's transaction, one statement per district (in id order), one history row per
 * change, the dwell clocks moved and one `world.unrest.updates` per change in the outbox.
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
import { type DistrictMove, type DistrictState, moveDistrict, readDistricts } from '../store/district-moves.ts';
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
 * does not know moves nothing and is left out of the answer. Each district's changes are decided on
 * its row as read without a lock and written in one statement guarded by that row's version, so
 * the row stays locked only from that statement to the commit; a district that moved in between
 * is read again, locked this time, and its changes decided anew.
 */
export async function applyChanges(trx: Trx, changes: UnrestChange[], at: Date): Promise<AppliedChange[]> {
  const applied = new Map<number, AppliedChange>();
  const districts = await readDistricts(trx, [...new Set(changes.map((change) => change.districtId))], false);
  for (const read of districts) {
    const own = changes.flatMap((change, index) => (change.districtId === read.id ? [{ change, index }] : []));
    let district: DistrictState | undefined = read;
    for (let locked = false; district !== undefined; locked = true) {
      const { move, moves } = planMove(district, own, at);
      if (await moveDistrict(trx, move)) {
        for (const [index, change] of moves) applied.set(index, change);
        break;
      }
      if (locked) throw new Error(`district ${read.id} changed under its lock`);
      [district] = await readDistricts(trx, [read.id], true);
    }
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
    // A district's changes are strictly ordered in time, in the order they were written: the
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
