import { type OutboxRow, outboxValues, prepared } from '@necp/platform';
import { sql } from 'kysely';
import type { HistoryRow } from './history.ts';
import type { Trx } from './tables.ts';

/** A district as locked for a change: its level and its last change. */
export interface DistrictState {
  id: string;
  level: number;
  changed_at: Date;
}

/**
 * Locks the districts for a change, in id order (two changes of several districts never deadlock).
 * The ids as one array: one statement text for any number of districts.
 */
export async function lockDistricts(trx: Trx, ids: string[]): Promise<DistrictState[]> {
  if (ids.length === 0) return [];
  return prepared(
    trx
      .selectFrom('mvp_core.world_districts')
      .select(['id', 'level', 'changed_at'])
      .where(sql<boolean>`id = any(${ids}::text[])`)
      .orderBy('id')
      .forNoKeyUpdate(),
  ).execute();
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
 * The move of a district locked in `trx`, in one statement: its level, its history rows, its events
 * in their order, and its dwell clocks (those of tiers left stop, those reached start).
 */
export async function moveDistrict(trx: Trx, move: DistrictMove): Promise<void> {
  const { district, level, changedAt, history, events, dwellTiers } = move;
  await prepared(sql`
    with district as (
      update mvp_core.world_districts set level = ${level}, changed_at = ${changedAt}
       where id = ${district.id}
    ), history as (
      insert into mvp_core.world_unrest_history
        (id, district_id, at, delta, level_after, source_type, source_id, actor_id, requested_delta, multiplier)
      select h.id, h.district_id, h.at, h.delta, h.level_after, h.source_type, h.source_id, h.actor_id,
             h.requested_delta, h.multiplier
        from jsonb_to_recordset(${JSON.stringify(history)}::jsonb) as h(id uuid, district_id text, at timestamptz,
             delta double precision, level_after double precision, source_type text, source_id text, actor_id text,
             requested_delta double precision, multiplier double precision)
    ), events as (
      insert into mvp_meta.outbox (id, aggregatetype, aggregateid, type, payload, producer, tracingspancontext)
      select (e.item->>'id')::uuid, e.item->>'aggregatetype', e.item->>'aggregateid', e.item->>'type',
             (e.item->>'payload')::jsonb, e.item->>'producer', e.item->>'tracingspancontext'
        from jsonb_array_elements(${JSON.stringify(events.map(outboxValues))}::jsonb) with ordinality as e(item, position)
       order by e.position
    ), stopped as (
      delete from mvp_core.world_escalation_dwell
       where district_id = ${district.id} and tier <> all(${dwellTiers}::text[])
    ), started as (
      insert into mvp_core.world_escalation_dwell (district_id, tier, since)
      select ${district.id}, tier, ${changedAt}::timestamptz from unnest(${dwellTiers}::text[]) as tier
      on conflict (district_id, tier) do nothing
    )
    select 1`).execute(trx);
}
