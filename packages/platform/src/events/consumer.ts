import { type EventEnvelope, EventEnvelopeSchema, type Topic, type TopicPayload, TopicPayloads } from '@necp/contracts';
import type { Kysely, Transaction } from 'kysely';
import { Compile } from 'typebox/compile';
import type { SqlDatabase } from '../sql/database.ts';
import type { PlatformTables } from '../sql/platform-tables.ts';
import { newSpanId, runWithTrace } from '../trace-context.ts';
import { type BusRecord, PoisonMessageError, type Subscription } from './bus.ts';

const envelopeChecker = Compile(EventEnvelopeSchema);
const payloadCheckers = new Map(Object.entries(TopicPayloads).map(([topic, schema]) => [topic, Compile(schema)]));

export type EventHandler<Tables, T extends Topic> = (
  trx: Transaction<Tables & PlatformTables>,
  event: EventEnvelope<TopicPayload<T>> & { type: T },
) => Promise<void>;

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
 * A consumer whose effect and its record of the event id commit in one transaction: a redelivered
 * event (relay retry, consumer crash before acknowledging, Kafka rebalance) has no second effect.
 */
export function idempotentConsumer<Tables, T extends Topic>(
  db: SqlDatabase,
  group: string,
  topics: T[],
  handler: EventHandler<Tables, T>,
): Subscription {
  const kysely = db.typed<Tables>() as unknown as Kysely<Tables & PlatformTables>;
  return {
    group,
    topics,
    handle: async (record) => {
      const envelope = validated(record);
      await runWithTrace({ traceId: envelope.traceId, spanId: newSpanId() }, () =>
        kysely.transaction().execute(async (trx) => {
          const platform = trx as unknown as Transaction<PlatformTables>;
          const claimed = await platform
            .insertInto('mvp_meta.processed_events')
            .values({ consumer_group: group, event_id: envelope.eventId, topic: record.topic })
            .onConflict((conflict) => conflict.doNothing())
            .returning('event_id')
            .executeTakeFirst();
          if (!claimed) return;
          await handler(trx, envelope as EventEnvelope<TopicPayload<T>> & { type: T });
        }),
      );
    },
  };
}
