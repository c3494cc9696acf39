import { type EventEnvelope, EventEnvelopeSchema, type Topic, type TopicPayload, TopicPayloads } from '@necp/contracts';
import { type Kysely, sql, type Transaction } from 'kysely';
import { Compile } from 'typebox/compile';
import type { SqlDatabase } from '../sql/database.ts';
import type { PlatformTables } from '../sql/platform-tables.ts';
import { prepared } from '../sql/prepared-statements.ts';
import { newSpanId, parseTraceparent, runWithTrace } from '../trace-context.ts';
import { SpanKind, startWorkSpan } from '../tracing.ts';
import { type BatchHandler, BatchRecordError, type BusRecord, PoisonMessageError, type Subscription } from './bus.ts';

const envelopeChecker = Compile(EventEnvelopeSchema);
const payloadCheckers = new Map(Object.entries(TopicPayloads).map(([topic, schema]) => [topic, Compile(schema)]));

export type EventHandler<Tables, T extends Topic> = (
  trx: Transaction<Tables & PlatformTables>,
  event: EventEnvelope<TopicPayload<T>> & { type: T },
) => Promise<void>;

/**
 * A consumed record's envelope checked against the contract of its topic; a PoisonMessageError
 * (dead-lettered by the bus) when it breaks it. For a consumer that handles some events outside
 * `idempotentConsumer`'s transaction, before handing the rest to it.
 */
export function validatedEvent<T extends Topic>(record: BusRecord): EventEnvelope<TopicPayload<T>> & { type: T } {
  return validated(record) as EventEnvelope<TopicPayload<T>> & { type: T };
}

function validated(record: BusRecord): EventEnvelope {
  const envelope = record.envelope as unknown;
  if (!envelopeChecker.Check(envelope)) throw new PoisonMessageError(`${record.topic}: not an event envelope`);
  const checker = payloadCheckers.get(record.topic);
  if (checker && !checker.Check(envelope.payload)) {
    const first = checker.Errors(envelope.payload)[0];
    throw new PoisonMessageError(
      `${record.topic}: payload breaks the contract at ${first?.instancePath || '/'}: ${first?.message ?? ''}`,
    );
  }
  return envelope as EventEnvelope;
}

/**
 * Records the events as processed by `group` in one statement and returns the records this call
 * claimed, in order: those seen before, and a second copy of an event within the same batch (a relay
 * that published it again), are left out. The ids and topics go as two arrays, so the statement's
 * text is the same for any batch: a named prepared statement (`prepared`).
 */
async function claimEvents(
  trx: Transaction<PlatformTables>,
  group: string,
  records: BusRecord[],
  envelopes: EventEnvelope[],
): Promise<number[]> {
  const eventIds = envelopes.map((envelope) => envelope.eventId);
  const topics = records.map((record) => record.topic);
  // ON CONFLICT DO NOTHING also skips an id repeated within the statement.
  const { rows } = await prepared(sql<{ event_id: string }>`
    INSERT INTO mvp_meta.processed_events (consumer_group, event_id, topic)
    SELECT ${group}::text, claim.event_id, claim.topic
      FROM unnest(${eventIds}::uuid[], ${topics}::text[]) AS claim (event_id, topic)
    ON CONFLICT DO NOTHING RETURNING event_id`).execute(trx);
  // PostgreSQL returns uuids in lower case; the envelope may carry them in upper case.
  const claimed = new Set(rows.map((row) => String(row.event_id).toLowerCase()));
  const indexes: number[] = [];
  envelopes.forEach((envelope, index) => {
    // delete: a second copy of the same event in this batch finds its id taken.
    if (claimed.delete(envelope.eventId.toLowerCase())) indexes.push(index);
  });
  return indexes;
}

/** Validated before any transaction opens, so an invalid record alone takes the per-record path. */
function validatedBatch(records: BusRecord[]): EventEnvelope[] {
  return records.map((record) => {
    try {
      return validated(record);
    } catch (error) {
      throw new BatchRecordError(record, error);
    }
  });
}

/**
 * Runs `work` for a consumed event in its own span, a child of the span that wrote the event (its
 * `traceparent` header), or of a new span in the envelope's trace when the header is missing.
 */
async function traced<R>(
  group: string,
  record: BusRecord,
  envelope: EventEnvelope,
  work: () => Promise<R>,
  batchSize = 1,
): Promise<R> {
  const span = startWorkSpan(
    `process ${record.topic}`,
    SpanKind.CONSUMER,
    parseTraceparent(record.headers.traceparent) ?? { traceId: envelope.traceId, spanId: newSpanId() },
    {
      'messaging.destination.name': record.topic,
      'messaging.consumer.group.name': group,
      'messaging.message.id': envelope.eventId,
      'messaging.batch.message_count': batchSize,
    },
  );
  try {
    const result = await runWithTrace(span.context, work);
    span.end();
    return result;
  } catch (error) {
    span.end({ error });
    throw error;
  }
}

/**
 * A consumer whose effect and its record of the event id commit in one transaction: a redelivered
 * event (relay retry, consumer crash before acknowledging, Kafka rebalance) has no second effect.
 *
 * `handleBatch` does the same for many events in ONE transaction (one claim statement for all
 * event ids, the handler for each claimed event in record order, one commit), all or nothing; a
 * failure names its record (BatchRecordError) so the bus isolates it. It is not enumerable on
 * purpose: a wrapper written as `{ ...consumer, handle: wrapped }` copies group, topics and handle
 * only, so every record still goes through its `handle`, as it did before batches existed.
 */
export function idempotentConsumer<Tables, T extends Topic>(
  db: SqlDatabase,
  group: string,
  topics: T[],
  handler: EventHandler<Tables, T>,
): Subscription {
  const kysely = db.typed<Tables>() as unknown as Kysely<Tables & PlatformTables>;
  const subscription: Subscription = {
    group,
    topics,
    handle: async (record) => {
      const envelope = validated(record);
      await traced(group, record, envelope, () =>
        kysely.transaction().execute(async (trx) => {
          const claimed = await claimEvents(trx as unknown as Transaction<PlatformTables>, group, [record], [envelope]);
          if (claimed.length === 0) return;
          await handler(trx, envelope as EventEnvelope<TopicPayload<T>> & { type: T });
        }),
      );
    },
  };
  const handleBatch: BatchHandler = async (records) => {
    const envelopes = validatedBatch(records);
    if (records.length === 0) return;
    await kysely.transaction().execute(async (trx) => {
      const claimed = await claimEvents(trx as unknown as Transaction<PlatformTables>, group, records, envelopes);
      for (const i of claimed) {
        const envelope = envelopes[i] as EventEnvelope;
        try {
          await traced(group, records[i] as BusRecord, envelope, () =>
            handler(trx, envelope as EventEnvelope<TopicPayload<T>> & { type: T }),
          );
        } catch (error) {
          throw new BatchRecordError(records[i] as BusRecord, error);
        }
      }
    });
  };
  Object.defineProperty(subscription, 'handleBatch', { value: handleBatch, enumerable: false });
  return subscription;
}

export type EventSetHandler<Tables, T extends Topic> = (
  trx: Transaction<Tables & PlatformTables>,
  events: (EventEnvelope<TopicPayload<T>> & { type: T })[],
) => Promise<void>;

/**
 * An idempotentConsumer whose effect takes the whole set of new events at once (a projection
 * written with one statement per batch instead of one per event). Same guarantees: the claimed
 * ids and the effect commit together. A failing batch cannot name its record, so the bus retries
 * each of its records alone (through `handle`, a set of one), and only a failing one is dead-lettered.
 * `options.oneBatchAtATime`: see Subscription (for effects that all lock the same rows).
 */
export function idempotentSetConsumer<Tables, T extends Topic>(
  db: SqlDatabase,
  group: string,
  topics: T[],
  handler: EventSetHandler<Tables, T>,
  options: Pick<Subscription, 'oneBatchAtATime'> = {},
): Subscription {
  const kysely = db.typed<Tables>() as unknown as Kysely<Tables & PlatformTables>;
  const apply = (records: BusRecord[], envelopes: EventEnvelope[]) =>
    kysely.transaction().execute(async (trx) => {
      const claimed = await claimEvents(trx as unknown as Transaction<PlatformTables>, group, records, envelopes);
      if (claimed.length === 0) return;
      await handler(
        trx,
        claimed.map((i) => envelopes[i] as EventEnvelope<TopicPayload<T>> & { type: T }),
      );
    });
  const subscription: Subscription = {
    group,
    topics,
    ...options,
    handle: async (record) => {
      const envelope = validated(record);
      await traced(group, record, envelope, () => apply([record], [envelope]));
    },
  };
  const handleBatch: BatchHandler = async (records) => {
    const first = records[0];
    if (!first) return;
    const envelopes = validatedBatch(records);
    // One span for the set, in the first event's trace.
    await traced(group, first, envelopes[0] as EventEnvelope, () => apply(records, envelopes), records.length);
  };
  Object.defineProperty(subscription, 'handleBatch', { value: handleBatch, enumerable: false });
  return subscription;
}
