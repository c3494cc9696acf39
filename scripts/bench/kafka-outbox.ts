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
 * wire they travel on a bench topic with KAFKA_PARTITIONS partitions (default 12), created once
 * per partition count: the partition count can be chosen without touching the catalogue topic
 * other work on the shared broker uses. BENCH_CONSUMER_BATCH (default 200) bounds a consumer
 * batch; BENCH_BATCH=0 measures the one-transaction-per-event path. The effect is written by an
 * idempotentSetConsumer (one INSERT per batch); BENCH_EFFECT=each writes it with idempotentConsumer's
 * per-event handler (one INSERT per event, in the same batch transaction). The consumer runs on a
 * thread of its own (its own pool and Kafka client), standing for the other service it is;
 * BENCH_CONSUMER_THREAD=0 puts it on the writer's and relay's event loop.
 */
import { randomUUID } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { deadLetterTopic, type Topic, Topics } from '@necp/contracts';
import { Admin, ListOffsetTimestamps } from '@platformatic/kafka';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { BatchRecordError, type BusRecord, type EventBus } from '../../packages/platform/src/events/bus.ts';
import { idempotentConsumer, idempotentSetConsumer } from '../../packages/platform/src/events/consumer.ts';
import { KafkaBus } from '../../packages/platform/src/events/kafka-bus.ts';
import { parseBrokers, topicsWithDeadLetters } from '../../packages/platform/src/events/kafka-records.ts';
import { writeEvent } from '../../packages/platform/src/events/outbox.ts';
import { OutboxRelay } from '../../packages/platform/src/events/outbox-relay.ts';
import { createDatabase, type SqlDatabase } from '../../packages/platform/src/sql/database.ts';
import type { PlatformTables } from '../../packages/platform/src/sql/platform-tables.ts';
import { createTestDatabase } from '../../packages/platform/src/testing.ts';
import { recordFigures } from './results.ts';

const total = Number(process.env.BENCH_EVENTS ?? 100_000);
const txSize = Number(process.env.BENCH_TX_SIZE ?? 1_000);
const writers = Number(process.env.BENCH_WRITERS ?? 4);
const topic = 'world.scenarios' satisfies Topic;
// 12, not the platform's default 3: the 64 district keys hash unevenly (murmur2), and the
// partition with the most keys is the consumer's critical path. Over 3 partitions the largest
// holds 42% of the events, over 6 25%, over 12 14%; more partitions are also more lanes (and
// transactions) working side by side.
const partitions = Number(process.env.KAFKA_PARTITIONS ?? 12);
const wireTopic = `bench.${topic}.p${partitions}`;
const consumerBatchSize = Number(process.env.BENCH_CONSUMER_BATCH ?? 200);
const effectPerEvent = process.env.BENCH_EFFECT === 'each';
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

/** What the consumer reports to the bench: events whose effect committed, when, and their ages. */
type ConsumerReport =
  | { kind: 'ready' }
  | { kind: 'consumed'; count: number; batch: boolean; at: number; agesMs: number[] }
  | { kind: 'closed' };

/** Absolute milliseconds, comparable across threads. */
const now = () => performance.timeOrigin + performance.now();

/**
 * The consuming service: its own connection pool and Kafka consumer, an idempotentConsumer group
 * whose effect is one row per event in its transaction.
 */
async function runConsumer(
  settings: { databaseUrl: string | undefined; group: string },
  report: (message: ConsumerReport) => void,
  stopped: Promise<void>,
  sharedDb?: SqlDatabase,
): Promise<void> {
  // A connection per partition lane (each holds one for its batch's transaction), as a consuming
  // service would size its pool to the partitions it may be assigned.
  const db =
    sharedDb ??
    (await createDatabase({
      databaseUrl: settings.databaseUrl,
      dataDir: 'memory://',
      poolSize: Math.max(10, partitions + 2),
    }));
  const kafka = new KafkaBus({
    brokers,
    clientId: 'necp-bench-consumer',
    logger,
    metrics: new Registry(),
    partitions,
    maxBatchSize: consumerBatchSize,
    replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1),
  });
  // The effect, one row per event, written per event or (default) as a set: one statement per batch.
  const consumer = effectPerEvent
    ? idempotentConsumer(db, settings.group, [topic], async (trx, event) => {
        await sql`INSERT INTO bench_effects VALUES (${event.eventId}, ${event.payload.districtId})`.execute(trx);
      })
    : idempotentSetConsumer(db, settings.group, [topic], async (trx, events) => {
        const rows = events.map((event) => sql`(${event.eventId}, ${event.payload.districtId})`);
        await sql`INSERT INTO bench_effects VALUES ${sql.join(rows)}`.execute(trx);
      });
  const consumedAll = (records: BusRecord[], batch: boolean) =>
    report({
      kind: 'consumed',
      count: records.length,
      batch,
      at: now(),
      agesMs: records.map((record) => Date.now() - Date.parse(record.envelope.occurredAt)),
    });
  /** Back on the catalogue topic for the consumer, which validates the payload by its topic. */
  const asCatalogue = (record: BusRecord): BusRecord => ({ ...record, topic });
  const consumerBatch = consumer.handleBatch?.bind(consumer);
  await kafka.subscribe({
    group: consumer.group,
    topics: [wireTopic],
    handle: async (record) => {
      await consumer.handle(asCatalogue(record));
      consumedAll([record], false);
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
            consumedAll(records, true);
          },
        }
      : {}),
  });
  report({ kind: 'ready' });
  await stopped;
  await kafka.close();
  if (!sharedDb) await db.close();
  report({ kind: 'closed' });
}

if (!isMainThread) {
  const settings = workerData as { databaseUrl: string; group: string };
  const stopped = new Promise<void>((resolve) => parentPort?.once('message', () => resolve()));
  await runConsumer(settings, (message) => parentPort?.postMessage(message), stopped);
  process.exit(0);
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
  replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1),
});
await kafka.ensureTopics(topicsWithDeadLetters([...Topics, wireTopic], deadLetterTopic));
const bus = new TimedBus(kafka);
const group = `bench.world-scenarios.${randomUUID().slice(0, 8)}`;
await startGroupAtEnd(group);

let consumed = 0;
let consumerBatches = 0;
let lastConsumedAt = 0;
const eventLatenciesMs: number[] = [];
let allConsumed: () => void = () => {};
const done = new Promise<void>((resolve) => {
  allConsumed = resolve;
});
let consumerReady: () => void = () => {};
const ready = new Promise<void>((resolve) => {
  consumerReady = resolve;
});
let consumerClosed: () => void = () => {};
const closed = new Promise<void>((resolve) => {
  consumerClosed = resolve;
});
function onReport(message: ConsumerReport): void {
  if (message.kind === 'ready') consumerReady();
  else if (message.kind === 'closed') consumerClosed();
  else {
    consumed += message.count;
    if (message.batch) consumerBatches++;
    lastConsumedAt = message.at;
    for (const age of message.agesMs) eventLatenciesMs.push(age);
    if (consumed === total) allConsumed();
  }
}
// The consuming service runs on its own thread, as it runs in its own process in production:
// it does not share an event loop with the writer and the relay. BENCH_CONSUMER_THREAD=0 keeps
// it on the main thread (one event loop for everything).
let stopConsumer: () => void = () => {};
if (process.env.BENCH_CONSUMER_THREAD === '0') {
  const stopped = new Promise<void>((resolve) => {
    stopConsumer = resolve;
  });
  void runConsumer({ databaseUrl: database.url, group }, onReport, stopped, db);
} else {
  const worker = new Worker(new URL(import.meta.url), { workerData: { databaseUrl: database.url, group } });
  worker.on('message', onReport);
  worker.on('error', (error) => {
    process.stderr.write(`consumer thread failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
  stopConsumer = () => worker.postMessage('stop');
}
await ready;
const relayMetrics = new Registry();
const relay = new OutboxRelay({
  db,
  bus,
  logger,
  metrics: relayMetrics,
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
const started = now();
let relayedAt = 0;
// Drained = every row published and marked sent, read off the relay's own counter: polling the
// outbox with count(*) would cost the database the very CPU this bench measures.
const relayDrained = (async () => {
  for (;;) {
    const published = (await relayMetrics.getSingleMetric('outbox_relay_published_total')?.get())?.values[0]?.value;
    if ((published ?? 0) >= total) {
      relayedAt = now();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
})();
await relay.start();
const progress = setInterval(() => process.stderr.write(`  consumed ${consumed}/${total}\n`), 5_000);
await done;
await relayDrained;
clearInterval(progress);
const endToEndSeconds = (lastConsumedAt - started) / 1000;
await relay.stop();
stopConsumer();
await closed;
await bus.close();
const effects = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bench_effects`.execute(db.kysely);
await database.close();

const publish = [...bus.durationsMs].sort((a, b) => a - b);
const perEvent = eventLatenciesMs.sort((a, b) => a - b);
const rate = total / endToEndSeconds;
const figures = [
  '== bench: outbox → Kafka → consumer group (scripts/bench/kafka-outbox.ts) ==',
  `events                      ${total} (transactions of ${txSize}, ${topic} on ${wireTopic}: ${partitions} partitions, ${publish.length} relay batches, consumer batches ≤ ${consumerBatchSize}${process.env.BENCH_BATCH === '0' ? ' (off)' : ''}, effect ${effectPerEvent ? 'per event' : 'per batch (set handler)'}, consumer on ${process.env.BENCH_CONSUMER_THREAD === '0' ? 'the main thread' : 'its own thread'})`,
  `effects applied             ${effects.rows[0]?.n} (one per event: ${effects.rows[0]?.n === total ? 'yes' : 'NO'})`,
  `write into outbox           ${writeSeconds.toFixed(2)} s → ${Math.round(total / writeSeconds)} events/s (writeEvent per row, ${writers} concurrent writers; not part of the figure below)`,
  `relay → Kafka (acked)       ${((relayedAt - started) / 1000).toFixed(2)} s → ${Math.round(total / ((relayedAt - started) / 1000))} events/s`,
  `outbox → Kafka → effect     ${endToEndSeconds.toFixed(2)} s → ${Math.round(rate)} events/s end to end (target ${target}: ${rate >= target ? 'met' : 'NOT met'})`,
  `consumer transactions       ${consumerBatches} batches (mean ${(consumerBatches ? consumed / consumerBatches : 0).toFixed(0)} events; events outside a batch went one per transaction)`,
  `publish latency per batch   p50 ${percentile(publish, 50).toFixed(1)} ms, p99 ${percentile(publish, 99).toFixed(1)} ms, max ${percentile(publish, 100).toFixed(1)} ms`,
  `event age at effect         p50 ${percentile(perEvent, 50)} ms, p99 ${percentile(perEvent, 99)} ms (includes waiting in the backlog)`,
];
recordFigures('outbox → Kafka → consumer group', [
  {
    events: total,
    endToEndEventsPerSecond: Math.round(rate),
    target,
    met: rate >= target,
    publishP99Ms: percentile(publish, 99),
  },
]);
process.stdout.write(`${figures.join('\n')}\n`);
