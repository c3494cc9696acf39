import { type OutboxRow, outboxValues } from '@necp/platform';
import { sql } from 'kysely';
import type { HistoryRow } from './history.ts';
import type { Trx } from './tables.ts';

/** A district as read for a change: its level, its last change, and its row's version (the change's guard). */
export interface DistrictState {
  id: string;
  level: number;
  changed_at: Date;
  version: string;
}

/**
 * The districts as they are, in id order; `lock` holds their rows (id order: two changes of several
 * districts never deadlock) for a change that must not lose a race again.
 */
export async function readDistricts(trx: Trx, ids: string[], lock: boolean): Promise<DistrictState[]> {
  if (ids.length === 0) return [];
  const query = trx
    .selectFrom('mvp_core.world_districts')
    .select(['id', 'level', 'changed_at', sql<string>`xmin::text`.as('version')])
    .where('id', 'in', ids)
    .orderBy('id');
  return lock ? query.forNoKeyUpdate().execute() : query.execute();
}

/** A district's changes as one write: its level after them, their history rows and events, its dwell tiers. */
export interface DistrictMove {
  district: DistrictState;
  level: number;
  changedAt: Date;
  history: HistoryRow[];
  events: OutboxRow<unknown>[];
  dwellTiers: string[];
}

/**
 * The move in one statement, all or nothing: the level guarded by the row's version as read, then
 * (only when it changed) the history rows, the events in their order, and the dwell clocks (those of
 * tiers left stop, those reached start). The row is locked only from this statement to the commit,
 * not across the round trips that decided the move. False when the district changed since it was read.
 */
export async function moveDistrict(trx: Trx, move: DistrictMove): Promise<boolean> {
  const { district, level, changedAt, history, events, dwellTiers } = move;
  const { rows } = await sql<{ moved: number }>`
    with moved as (
      update mvp_core.world_districts set level = ${level}, changed_at = ${changedAt}
       where id = ${district.id} and xmin = ${district.version}::xid
      returning id
    ), history as (
      insert into mvp_core.world_unrest_history
        (id, district_id, at, delta, level_after, source_type, source_id, actor_id, requested_delta, multiplier)
      select h.id, h.district_id, h.at, h.delta, h.level_after, h.source_type, h.source_id, h.actor_id,
             h.requested_delta, h.multiplier
        from jsonb_to_recordset(${JSON.stringify(history)}::jsonb) as h(id uuid, district_id text, at timestamptz,
             delta double precision, level_after double precision, source_type text, source_id text, actor_id text,
             requested_delta double precision, multiplier double precision)
       where exists (select from moved)
    ), events as (
      insert into mvp_meta.outbox (id, aggregatetype, aggregateid, type, payload, producer, tracingspancontext)
      select (e.item->>'id')::uuid, e.item->>'aggregatetype', e.item->>'aggregateid', e.item->>'type',
             (e.item->>'payload')::jsonb, e.item->>'producer', e.item->>'tracingspancontext'
        from jsonb_array_elements(${JSON.stringify(events.map(outboxValues))}::jsonb) with ordinality as e(item, position)
       where exists (select from moved)
       order by e.position
    ), stopped as (
      delete from mvp_core.world_escalation_dwell
       where district_id = ${district.id} and tier <> all(${dwellTiers}::text[]) and exists (select from moved)
    ), started as (
      insert into mvp_core.world_escalation_dwell (district_id, tier, since)
      select ${district.id}, tier, ${changedAt}::timestamptz from unnest(${dwellTiers}::text[]) as tier
       where exists (select from moved)
      on conflict (district_id, tier) do nothing
    )
    select count(*)::int as moved from moved`.execute(trx);
  return (rows[0]?.moved ?? 0) > 0;
}
