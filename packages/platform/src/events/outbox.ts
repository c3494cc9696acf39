import { type EventEnvelope, type Topic, type TopicPayload, TopicPayloads } from '@necp/contracts';
import { type Kysely, sql } from 'kysely';
import { Compile } from 'typebox/compile';
import type { PlatformTables } from '../sql/platform-tables.ts';
import { currentTrace, formatTraceparent, newSpanId, newTraceId } from '../trace-context.ts';
import { uuidv7 } from '../uuid-v7.ts';

export interface NewEvent<T extends Topic> {
  topic: T;
  key: string;
  payload: TopicPayload<T>;
}

const payloadCheckers = new Map(
  Object.entries(TopicPayloads).map(([topic, schema]) => [topic, Compile(schema)] as const),
);

/** Refuses a payload that breaks its topic's contract before it can reach any consumer. */
function assertPayload(topic: string, payload: unknown): void {
  const checker = payloadCheckers.get(topic);
  if (!checker) throw new Error(`unknown topic ${topic}`);
  if (!checker.Check(payload)) {
    const first = checker.Errors(payload)[0];
    throw new Error(`invalid ${topic} payload: ${first?.instancePath || '/'} ${first?.message ?? ''}`);
  }
}

/** An outbox row as `mvp_meta.write_outbox` (migrations/002_sql_entry_points.sql) takes it. */
export interface OutboxRow<P> {
  id: string;
  aggregatetype: string;
  aggregateid: string;
  type: string;
  payload: EventEnvelope<P>;
  producer: string;
  tracingspancontext: string;
}

/**
 * The envelope and outbox row of an event, its payload checked against the topic's contract and
 * its trace taken from the current one: what `writeEvent` writes, and what a service's stored
 * procedure gets to write inside its own single statement.
 */
export function outboxRow<T extends Topic>(producer: string, event: NewEvent<T>): OutboxRow<TopicPayload<T>> {
  assertPayload(event.topic, event.payload);
  return envelopeRow(producer, event.topic, event.key, event.payload);
}

/**
 * The envelope and outbox row of an event whose payload the statement that writes it builds from
 * the rows it changes (its payload here is empty): for a change whose row is not read before it.
 * That statement answers for the payload's contract, which no check here can see.
 */
export function outboxRowToFill<T extends Topic>(producer: string, topic: T, key: string): OutboxRow<EmptyPayload> {
  return envelopeRow(producer, topic, key, {});
}

type EmptyPayload = Record<string, never>;

function envelopeRow<P>(producer: string, topic: Topic, key: string, payload: P): OutboxRow<P> {
  const trace = currentTrace();
  const envelope: EventEnvelope<P> = {
    eventId: uuidv7(),
    type: topic,
    occurredAt: new Date().toISOString(),
    producer,
    traceId: trace?.traceId ?? newTraceId(),
    key,
    payload,
  };
  return {
    id: envelope.eventId,
    aggregatetype: topic,
    aggregateid: key,
    type: topic,
    payload: envelope,
    producer,
    tracingspancontext: formatTraceparent({ traceId: envelope.traceId, spanId: trace?.spanId ?? newSpanId() }),
  };
}

/**
 * Writes an event into `mvp_meta.outbox` through `db`, which must be the transaction that makes
 * the change the event announces: both commit or neither does.
 */
export async function writeEvent<T extends Topic, DB extends PlatformTables>(
  db: Kysely<DB>,
  producer: string,
  event: NewEvent<T>,
): Promise<EventEnvelope<TopicPayload<T>>> {
  const row = outboxRow(producer, event);
  await sql`SELECT mvp_meta.write_outbox(${row.id}, ${row.type}, ${row.aggregateid}, ${JSON.stringify(row.payload)}::jsonb, ${row.producer}, ${row.tracingspancontext})`.execute(
    db,
  );
  return row.payload;
}
