import { decodeKeysetCursor, encodeKeysetCursor } from '@necp/platform';
import { sql } from 'kysely';
import type { Reader, Trx, UnrestHistoryTable } from './tables.ts';

export type HistoryRow = Omit<UnrestHistoryTable, 'at' | 'multiplier'> & { at: Date; multiplier: number };

export async function insertHistory(trx: Trx, rows: HistoryRow[]): Promise<void> {
  if (rows.length > 0) await trx.insertInto('mvp_core.world_unrest_history').values(rows).execute();
}

/** Whose history: a district's, or the entries one source caused. */
export type HistoryFilter = { districtId: string } | { sourceType: string; sourceId: string };

/** History entries, newest first, after the cursor's entry. */
export async function historyPage(db: Reader, filter: HistoryFilter, limit: number, cursor: string | undefined) {
  let query = db
    .selectFrom('mvp_core.world_unrest_history')
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  query =
    'districtId' in filter
      ? query.where('district_id', '=', filter.districtId)
      : query.where('source_type', '=', filter.sourceType).where('source_id', '=', filter.sourceId);
  if (cursor !== undefined) {
    const { at, id } = decodeKeysetCursor(cursor);
    query = query.where(sql<boolean>`(at, id) < (${at}, ${id}::uuid)`);
  }
  const rows = (await query.execute()) as HistoryRow[];
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeKeysetCursor(last) : null };
}

/** The last `count` levels of a district, newest first. */
export async function recentLevels(db: Reader, districtId: string, count: number) {
  return db
    .selectFrom('mvp_core.world_unrest_history')
    .select(['at', 'level_after'])
    .where('district_id', '=', districtId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(count)
    .execute();
}

/** What moved a district most since `since`: per source, the sum of its deltas, largest in size first (no-ops left out). */
export async function influenceSources(db: Reader, districtId: string, since: Date, top: number) {
  const total = sql<number>`sum(delta)`;
  return db
    .selectFrom('mvp_core.world_unrest_history')
    .select(['source_type', 'source_id', total.as('total_delta'), sql<string>`count(*)`.as('impacts')])
    .where('district_id', '=', districtId)
    .where('at', '>=', since)
    .where('delta', '<>', 0)
    .groupBy(['source_type', 'source_id'])
    .orderBy(sql`abs(sum(delta))`, 'desc')
    .orderBy('source_type')
    .orderBy('source_id')
    .limit(top)
    .execute();
}
