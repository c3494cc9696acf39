import { sql } from 'kysely';
import type { Trx } from './tables.ts';

export interface CounterAddition {
  districtId: string;
  kind: string;
  added: number;
}

/**
 * Adds to the counters in one statement, locking their rows in (district, kind) order so that two
 * batches never wait on each other in a cycle; returns each counter's value before the addition.
 */
export async function addToCounters(trx: Trx, additions: CounterAddition[]): Promise<Map<string, number>> {
  if (additions.length === 0) return new Map();
  const ordered = additions.toSorted(
    (a, b) => a.districtId.localeCompare(b.districtId) || a.kind.localeCompare(b.kind),
  );
  const rows = await trx
    .insertInto('mvp_core.world_event_counters')
    .values(ordered.map((a) => ({ district_id: a.districtId, kind: a.kind, count: a.added })))
    .onConflict((conflict) =>
      conflict
        .columns(['district_id', 'kind'])
        .doUpdateSet({ count: sql`mvp_core.world_event_counters.count + excluded.count` }),
    )
    .returning(['district_id', 'kind', 'count'])
    .execute();
  const added = new Map(additions.map((a) => [counterKey(a.districtId, a.kind), a.added]));
  return new Map(
    rows.map((row) => {
      const key = counterKey(row.district_id, row.kind);
      return [key, Number(row.count) - (added.get(key) ?? 0)];
    }),
  );
}

export function counterKey(districtId: string, kind: string): string {
  return `${districtId}\u0000${kind}`;
}
