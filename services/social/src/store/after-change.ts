/**
 * Inserts that ride on a change in the same statement and happen only when the change hit a row:
 * the rows are selected from the change's CTE (`source`, at most one row), so a guarded update
 * that found nothing to change writes no timeline line and announces no event.
 */
import { type OutboxRow, outboxValues, type PlatformTables } from '@necp/platform';
import { type QueryCreator, type RawBuilder, sql } from 'kysely';
import type { OrderStatus } from '../domain/order-machine.ts';
import type { SocialTables } from './tables.ts';
import { type TimelineEntry, timelineRow } from './timeline.ts';

/** The order's timeline line, after `source`'s row. */
export function insertTimelineAfter<DB extends SocialTables & PlatformTables>(
  cte: QueryCreator<DB>,
  source: string,
  orderId: string,
  entry: TimelineEntry,
) {
  const line = timelineRow(orderId, entry);
  return cte
    .insertInto('mvp_core.social_timeline')
    .columns(['order_id', 'kind', 'from_status', 'to_status', 'actor', 'detail', 'at'])
    .expression(
      sql`SELECT ${line.order_id}::uuid, ${line.kind}::text, ${line.from_status}::text, ${line.to_status}::text,
        ${line.actor}::text, ${line.detail}::jsonb, ${line.at}::timestamptz FROM ${sql.table(source)}`,
    )
    .returning('id');
}

/**
 * The outbox row of `event`, after `source`'s row; `payloadOf`, when given, is the payload built from
 * that row (SQL over its columns), set into the envelope as the statement writes it.
 */
export function insertEventAfter<DB extends SocialTables & PlatformTables>(
  cte: QueryCreator<DB>,
  source: string,
  event: OutboxRow<unknown>,
  payloadOf?: RawBuilder<unknown>,
) {
  const row = outboxValues(event);
  const envelope =
    payloadOf === undefined
      ? sql`${row.payload}::jsonb`
      : sql`${row.payload}::jsonb || jsonb_build_object('payload', ${payloadOf})`;
  return cte
    .insertInto('mvp_meta.outbox')
    .columns(['id', 'aggregatetype', 'aggregateid', 'type', 'payload', 'producer', 'tracingspancontext'])
    .expression(
      sql`SELECT ${row.id}::uuid, ${row.aggregatetype}::text, ${row.aggregateid}::text, ${row.type}::text,
        ${envelope}, ${row.producer}::text, ${row.tracingspancontext}::text FROM ${sql.table(source)}`,
    )
    .returning('id');
}

/**
 * `social.orders.lifecycle`'s payload from the changed row's columns: the SQL twin of
 * `orderTransitionEvent` (events.ts), field for field; the transition tests check both against the contract.
 */
export function lifecyclePayload(fromStatus: OrderStatus, actorId: string) {
  return sql`jsonb_build_object('orderId', order_id, 'fromStatus', ${fromStatus}::text, 'toStatus', status,
      'actorId', ${actorId}::text, 'customerCharacterId', customer_character_id,
      'executorCharacterId', executor_character_id, 'orderType', order_type, 'districtId', district_id, 'reward', reward)
    || CASE WHEN executor_share_percent IS NULL THEN '{}'::jsonb
       ELSE jsonb_build_object('executorSharePercent', executor_share_percent) END`;
}
