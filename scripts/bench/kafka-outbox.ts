/**
 * Outbox → Kafka → consumer group, end to end, on the real servers of `scripts/infra.sh up`:
 *
 *   eval "$(scripts/infra.sh up)" && node scripts/bench/kafka-outbox.ts
 *
 * A writer commits BENCH_EVENTS events (default 100,000) through `writeEvent`, BENCH_TX_SIZE per
 * transaction (default 1,000), while the outbox relay publishes them to Kafka and an
 * idempotentConsumer group applies them (effect: one row per event, in the consumer's transaction).
 * End to end = from the start of the relay (the backlog written) to the last effect; the write
 * phase is reported on its own. Publish latency = one relay batch, from send to the broker's
 * acknowledgement of every record in it.
 *
 * The events are world.scenarios events (written, validated and consumed as such), but on the
 * wire they travel on a bench topic with KAFKA_PARTITIONS partitions (default 6), created once
 * per partition count: the partition count can be chosen without touching the catalogue topic
 * other work on the shared broker uses. BENCH_CONSUMER_BATCH (default 200) bounds a consumer
 * batch; BENCH_BATCH=0 measures the one-transaction-per-event path.
 */
import { randomUUID } from 'node:crypto';
import { deadLetterTopic, type Topic, Topics } from '@necp/contracts';
import { Admin, ListOffsetTimestamps } from '@platformatic/kafka';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { BatchRecordError, type BusRecord, type EventBus } from '../../packages/platform/src/events/bus.ts';
import { idempotentConsumer } from '../../packages/platform/src/events/consumer.ts';
import { KafkaBus } from '../../packages/platform/src/events/kafka-bus.ts';
import { parseBrokers, topicsWithDeadLetters } from '../../packages/platform/src/events/kafka-records.ts';
import { writeEvent } from '../../packages/platform/src/events/outbox.ts';
import { OutboxRelay } from '../../packages/platform/src/events/outbox-relay.ts';
import type { PlatformTables } from '../../packages/platform/src/sql/platform-tables.ts';
import { createTestDatabase } from '../../packages/platform/src/testing.ts';

const total = Number(process.env.BENCH_EVENTS ?? 100_000);
const txSize = Number(process.env.BENCH_TX_SIZE ?? 1_000);
const writers = Number(process.env.BENCH_WRITERS ?? 4);
const topic: Topic = 'world.scenarios';
const partitions = Number(process.env.KAFKA_PARTITIONS ?? 6);
const wireTopic = `bench.${topic}.p${partitions}`;
const consumerBatchSize = Number(process.env.BENCH_CONSUMER_BATCH ?? 200);
const target = 10_000;

if (!process.env.KAFKA_BROKERS || !process.env.DATABASE_URL) {
  process.stderr.write('needs KAFKA_BROKERS and DATABASE_URL: eval "$(scripts/infra.sh up)" first\n');
  process.exit(2);
}
const brokers = parseBrokers(process.env.KAFKA_BROKERS);
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Times every publish call the relay makes (one relay batch each). */
class TimedBus implements EventBus {
  readonly kind = 'kafka';
  readonly durationsMs: number[] = [];
  readonly #inner: EventBus;
  constructor(inner: EventBus) {
    this.#inner = inner;
  }
  async publish(records: BusRecord[]): Promise<void> {
    const started = performance.now();
    await this.#inner.publish(records.map((record) => ({ ...record, topic: wireTopic })));
    this.durationsMs.push(performance.now() - started);
  }
  subscribe = (subscription: Parameters<EventBus['subscribe']>[0]) => this.#inner.subscribe(subscription);
  ping = () => this.#inner.ping();
  close = () => this.#inner.close();
}

/** A fresh group starts at the topic's end, so events of earlier runs on the shared topic are not counted. */
async function startGroupAtEnd(group: string): Promise<void> {
  const admin = new Admin({ clientId: 'necp-bench-admin', bootstrapBrokers: brokers });
  try {
    const metadata = await admin.metadata({ topics: [wireTopic] });
    const count = metadata.topics.get(wireTopic)?.partitionsCount ?? 0;
    const [listed] = await admin.listOffsets({
      topics: [
        {
          name: wireTopic,
          partitions: Array.from({ length: count }, (_, partitionIndex) => ({
            partitionIndex,
            timestamp: ListOffsetTimestamps.LATEST,
          })),
        },
      ],
    });
    await admin.alterConsumerGroupOffsets({
      groupId: group,
      topics: [
        {
          name: wireTopic,
          partitionOffsets: (listed?.partitions ?? []).map((p) => ({ partition: p.partitionIndex, offset: p.offset })),
        },
      ],
    });
  } finally {
    await admin.close();
  }
}

const database = await createTestDatabase();
const db = database.db;
await sql`CREATE TABLE bench_effects (event_id uuid PRIMARY KEY, district text NOT NULL)`.execute(db.kysely);
const kafka = new KafkaBus({
  brokers,
  clientId: 'necp-bench',
  logger,
  metrics: new Registry(),
  partitions,
  maxBatchSize: consumerBatchSize,
  replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1),
});
await kafka.ensureTopics(topicsWithDeadLetters([...Topics, wireTopic], deadLetterTopic));
const bus = new TimedBus(kafka);
const group = `bench.world-scenarios.${randomUUID().slice(0, 8)}`;
await startGroupAtEnd(group);

let consumed = 0;
let lastConsumedAt = 0;
const eventLatenciesMs: number[] = [];
let allConsumed: () => void = () => {};
const done = new Promise<void>((resolve) => {
  allConsumed = resolve;
});
const consumer = idempotentConsumer(db, group, [topic], async (trx, event) => {
  await sql`INSERT INTO bench_effects VALUES (${event.eventId}, ${event.payload.districtId})`.execute(trx);
});
let consumerBatches = 0;
/** Counts an event once its effect committed, through either path of the subscription. */
function consumedOne(record: BusRecord): void {
  consumed++;
  lastConsumedAt = performance.now();
  eventLatenciesMs.push(Date.now() - Date.parse(record.envelope.occurredAt));
  if (consumed === total) allConsumed();
}
/** Back on the catalogue topic for the consumer, which validates the payload by its topic. */
const asCatalogue = (record: BusRecord): BusRecord => ({ ...record, topic });
const consumerBatch = consumer.handleBatch?.bind(consumer);
await bus.subscribe({
  group: consumer.group,
  topics: [wireTopic],
  handle: async (record) => {
    await consumer.handle(asCatalogue(record));
    consumedOne(record);
  },
  // BENCH_BATCH=0 measures the per-record path (one transaction per event) for comparison.
  ...(consumerBatch && process.env.BENCH_BATCH !== '0'
    ? {
        handleBatch: async (records: BusRecord[]) => {
          const mapped = records.map(asCatalogue);
          try {
            await consumerBatch(mapped);
          } catch (error) {
            // The bus finds the failing record by identity: name the one it handed over.
            if (!(error instanceof BatchRecordError)) throw error;
            throw new BatchRecordError(records[mapped.indexOf(error.record)] as BusRecord, error.cause);
          }
          for (const record of records) consumedOne(record);
          consumerBatches++;
        },
      }
    : {}),
});
const relay = new OutboxRelay({
  db,
  bus,
  logger,
  metrics: new Registry(),
  batchSize: Number(process.env.BENCH_RELAY_BATCH ?? 1_000),
  ...(process.env.BENCH_RELAY_BUCKETS_PER_TICK
    ? { bucketsPerTick: Number(process.env.BENCH_RELAY_BUCKETS_PER_TICK) }
    : {}),
  pollIntervalMs: 50,
});

process.stderr.write(`writing ${total} events in transactions of ${txSize}, ${writers} writers ...\n`);
const writeStarted = performance.now();
let nextBatch = 0;
await Promise.all(
  Array.from({ length: writers }, async () => {
    for (let first = nextBatch; first < total; first = nextBatch) {
      nextBatch += txSize;
      await db.kysely.transaction().execute(async (trx) => {
        for (let n = first; n < Math.min(total, first + txSize); n++) {
          await writeEvent(trx as unknown as Kysely<PlatformTables>, 'world', {
            topic,
            key: `district-${n % 64}`,
            payload: { scenarioId: randomUUID(), districtId: `district-${n % 64}`, kind: 'bench', status: 'started' },
          });
        }
      });
    }
  }),
);
const writeSeconds = (performance.now() - writeStarted) / 1000;

process.stderr.write('relaying and consuming the backlog ...\n');
const started = performance.now();
let relayedAt = 0;
const relayDrained = (async () => {
  for (;;) {
    const pending = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM mvp_meta.outbox WHERE sent_at IS NULL`.execute(db.kysely);
    if (pending.rows[0]?.n === 0) {
      relayedAt = performance.now();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
})();
await relay.start();
const progress = setInterval(() => process.stderr.write(`  consumed ${consumed}/${total}\n`), 5_000);
await done;
await relayDrained;
clearInterval(progress);
const endToEndSeconds = (lastConsumedAt - started) / 1000;
await relay.stop();
await bus.close();
const effects = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bench_effects`.execute(db.kysely);
await database.close();

const publish = [...bus.durationsMs].sort((a, b) => a - b);
const perEvent = eventLatenciesMs.sort((a, b) => a - b);
const rate = total / endToEndSeconds;
const figures = [
  '== bench: outbox → Kafka → consumer group (scripts/bench/kafka-outbox.ts) ==',
  `events                      ${total} (transactions of ${txSize}, ${topic} on ${wireTopic}: ${partitions} partitions, ${publish.length} relay batches, consumer batches ≤ ${consumerBatchSize}${process.env.BENCH_BATCH === '0' ? ' (off)' : ''})`,
  `effects applied             ${effects.rows[0]?.n} (one per event: ${effects.rows[0]?.n === total ? 'yes' : 'NO'})`,
  `write into outbox           ${writeSeconds.toFixed(2)} s → ${Math.round(total / writeSeconds)} events/s (writeEvent per row, ${writers} concurrent writers; not part of the figure below)`,
  `relay → Kafka (acked)       ${((relayedAt - started) / 1000).toFixed(2)} s → ${Math.round(total / ((relayedAt - started) / 1000))} events/s`,
  `outbox → Kafka → effect     ${endToEndSeconds.toFixed(2)} s → ${Math.round(rate)} events/s end to end (target ${target}: ${rate >= target ? 'met' : 'NOT met'})`,
  `consumer transactions       ${consumerBatches} batches (mean ${(consumerBatches ? consumed / consumerBatches : 0).toFixed(0)} events; events outside a batch went one per transaction)`,
  `publish latency per batch   p50 ${percentile(publish, 50).toFixed(1)} ms, p99 ${percentile(publish, 99).toFixed(1)} ms, max ${percentile(publish, 100).toFixed(1)} ms`,
  `event age at effect         p50 ${percentile(perEvent, 50)} ms, p99 ${percentile(perEvent, 99)} ms (includes waiting in the backlog)`,
];
process.stdout.write(`${figures.join('\n')}\n`);
