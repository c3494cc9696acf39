import { decodeKeysetCursor, encodeKeysetCursor } from '@necp/platform';
import { type Selectable, sql } from 'kysely';
import type { Reader, ScenarioStatus, ScenarioTable, Trx } from './tables.ts';

export type ScenarioRow = Selectable<ScenarioTable>;

/**
 * Starts a scenario unless the district already has an active one: the partial unique index
 * decides, so two replicas or two operators racing start one. Undefined when one was active.
 */
export async function insertScenario(
  trx: Trx,
  row: Pick<ScenarioRow, 'id' | 'district_id' | 'kind' | 'origin' | 'started_at' | 'started_by'>,
): Promise<ScenarioRow | undefined> {
  return trx
    .insertInto('mvp_core.world_scenarios')
    .values({ ...row, status: 'active' })
    .onConflict((conflict) => conflict.column('district_id').where('status', '=', 'active').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function lockScenario(trx: Trx, id: string): Promise<ScenarioRow | undefined> {
  return trx.selectFrom('mvp_core.world_scenarios').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function endScenario(
  trx: Trx,
  id: string,
  status: Exclude<ScenarioStatus, 'active'>,
  at: Date,
  by: string,
): Promise<ScenarioRow> {
  return trx
    .updateTable('mvp_core.world_scenarios')
    .set({ status, ended_at: at, ended_by: by })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Scenarios, newest first, optionally of one district or status. */
export async function scenariosPage(
  db: Reader,
  filters: { districtId?: string | undefined; status?: ScenarioStatus | undefined },
  limit: number,
  cursor: string | undefined,
) {
  let query = db
    .selectFrom('mvp_core.world_scenarios')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (filters.districtId !== undefined) query = query.where('district_id', '=', filters.districtId);
  if (filters.status !== undefined) query = query.where('status', '=', filters.status);
  if (cursor !== undefined) {
    const { at, id } = decodeKeysetCursor(cursor);
    query = query.where(sql<boolean>`(started_at, id) < (${at}, ${id}::uuid)`);
  }
  const rows = await query.execute();
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeKeysetCursor({ at: last.started_at, id: last.id }) : null,
  };
}
