import type { Reader, Trx } from './tables.ts';

/** Creates the districts that do not exist yet, at their starting levels. */
export async function seedDistricts(db: Reader, levels: Record<string, number>, at: Date): Promise<string[]> {
  const rows = await db
    .insertInto('mvp_core.world_districts')
    .values(Object.entries(levels).map(([id, level]) => ({ id, level, changed_at: at })))
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returning(['id'])
    .execute();
  return rows.map((row) => row.id);
}

/** Every district with its active scenario, if any. */
export async function districtsWithScenario(db: Reader, id?: string) {
  let query = db
    .selectFrom('mvp_core.world_districts as d')
    .leftJoin('mvp_core.world_scenarios as s', (join) =>
      join.onRef('s.district_id', '=', 'd.id').on('s.status', '=', 'active'),
    )
    .select([
      'd.id',
      'd.level',
      'd.changed_at',
      's.id as scenario_id',
      's.kind as scenario_kind',
      's.started_at as scenario_started_at',
    ])
    .orderBy('d.id');
  if (id !== undefined) query = query.where('d.id', '=', id);
  return query.execute();
}

/**
 * Districts away from `target` whose last change is at or before `quietSince`, locked in id order
 * (one changed meanwhile is re-checked once its lock frees, and left out if no longer quiet).
 */
export async function lockQuietDistricts(trx: Trx, quietSince: Date, target: number) {
  return trx
    .selectFrom('mvp_core.world_districts')
    .select(['id', 'level'])
    .where('changed_at', '<=', quietSince)
    .where('level', '<>', target)
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
}
