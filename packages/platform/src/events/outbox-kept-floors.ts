/**
 * Scan floors kept in `mvp_meta.outbox_floors` (migration 009), so that a relay starting takes up
 * where the relays of its producers were instead of walking every sent row the retention keeps.
 */
import { sql } from 'kysely';
import type { SqlDatabase } from '../sql/database.ts';

/** The floors' key: the producers a relay sends, in one order; '*' for every producer. */
function floorKey(producers: string[] | null): string {
  return producers === null ? '*' : producers.toSorted().join(',');
}

/** The highest floor a relay of these producers kept; 0 when none did. */
export async function keptFloor(db: SqlDatabase, producers: string[] | null): Promise<number> {
  const kept = await sql<{ seq: string }>`
    SELECT seq::text FROM mvp_meta.outbox_floors WHERE producers = ${floorKey(producers)}`.execute(db.kysely);
  return Number(kept.rows[0]?.seq ?? 0);
}

/** Keeps `floor` for these producers unless a relay of theirs kept a higher one (each is valid for all). */
export async function keepFloor(db: SqlDatabase, producers: string[] | null, floor: number): Promise<void> {
  await sql`
    INSERT INTO mvp_meta.outbox_floors (producers, seq) VALUES (${floorKey(producers)}, ${floor})
    ON CONFLICT (producers) DO UPDATE SET seq = GREATEST(outbox_floors.seq, EXCLUDED.seq)`.execute(db.kysely);
}
