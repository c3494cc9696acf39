/**
 * world-service's two figures, on the real servers of `scripts/infra.sh up`:
 *
 *   eval "$(scripts/infra.sh up)" && node scripts/bench/world-unrest.ts
 *
 * 1. Events applied per second from Kafka (target ≥ 5,000/s): BENCH_EVENTS events (default 50,000;
 *    90% `combat.ballistics.events`, 5% completed crafting jobs, 5% completed orders, over the three
 *    districts) are published first, then world's own consumers (consumers/reactions.ts) drain them,
 *    each batch's effect (counters, levels, history, outbox) and its processed-event records
 *    committed in one transaction. The baseline, drained from the same topic in the same run, is the
 *    platform's idempotentSetConsumer with the least effect there is (one row per event). The events
 *    travel on a topic of this run (deleted at the end), so no other consumer of the shared broker
 *    sees them; the groups are this run's too.
 * 2. Unrest reads per second through the gateway (a district's detail: history, influence sources,
 *    forecast) against the same read asked of world-service directly, and the public district list.
 *    The backend runs in a child process (this file with `--serve`), away from the load generator.
 */
import { randomUUID } from 'node:crypto';
import { Districts, type Topic, type TopicPayload } from '@necp/contracts';
import { Admin } from '@platformatic/kafka';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { BatchRecordError, type BusRecord, type Subscription } from '../../packages/platform/src/events/bus.ts';
import { idempotentSetConsumer } from '../../packages/platform/src/events/consumer.ts';
import { KafkaBus } from '../../packages/platform/src/events/kafka-bus.ts';
import { parseBrokers } from '../../packages/platform/src/events/kafka-records.ts';
import { createDatabase } from '../../packages/platform/src/sql/database.ts';
import { migrate, platformMigrations } from '../../packages/platform/src/sql/migrations.ts';
import { createTestDatabase } from '../../packages/platform/src/testing.ts';
import {
  ballisticsReactions,
  craftingReactions,
  orderReactions,
} from '../../services/world/src/consumers/reactions.ts';
import { openCity } from '../../services/world/src/flows/city-clock.ts';
import type { WorldDeps } from '../../services/world/src/flows/deps.ts';
import type { WorldTables } from '../../services/world/src/store/tables.ts';
import { announceTargets, serveInChild } from './fixtures/served-backend.ts';
import { type LoadResult, load, printTable } from './load.ts';

const total = Number(process.env.BENCH_EVENTS ?? 50_000);
const partitions = Number(process.env.KAFKA_PARTITIONS ?? 12);
const consumerBatchSize = Number(process.env.BENCH_CONSUMER_BATCH ?? 500);
const target = 5_000;
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });

type Reacted = 'combat.ballistics.events' | 'economy.crafting.jobs' | 'social.orders.lifecycle';

/** The n-th event of the mix, with its catalogue topic and key. */
function nthEvent(n: number, combats: string[]): { topic: Reacted; key: string; payload: TopicPayload<Reacted> } {
  const districtId = Districts[n % Districts.length] as string;
  const characterId = randomUUID();
  if (n % 20 === 1) {
    const jobId = randomUUID();
    const workshopId = { watson: 'street_garage', westbrook: 'corpo_lab', heywood: 'bunker_forge' }[
      districtId
    ] as string;
    return {
      topic: 'economy.crafting.jobs',
      key: jobId,
      payload: {
        jobId,
        characterId,
        blueprintId: 'ricochet_rounds',
        status: 'completed',
        progressPercent: 100,
        eta: null,
        materialsConsumed: { metal: 2, chemicals: 1 },
        outputTemplateId: 'ricochet_rounds',
        quantity: 10,
        linkedOrderId: null,
        workshopId,
      },
    };
  }
  if (n % 20 === 2) {
    const orderId = randomUUID();
    return {
      topic: 'social.orders.lifecycle',
      key: orderId,
      payload: {
        orderId,
        fromStatus: 'delivered',
        toStatus: 'completed',
        actorId: characterId,
        customerCharacterId: randomUUID(),
        executorCharacterId: characterId,
        orderType: ['combat', 'hacking', 'logistics', 'crafting', 'social'][n % 5] as string,
        districtId,
        reward: 500,
      },
    };
  }
  const combatId = combats[n % combats.length] as string;
  return {
    topic: 'combat.ballistics.events',
    key: combatId,
    payload: {
      simulationId: randomUUID(),
      combatId,
      characterId,
      weaponId: 'rifle_ajax',
      weaponClass: 'assault',
      distance: 30,
      hit: n % 3 !== 0,
      damageDealt: 25,
      ricochetCount: 0,
      curvedShotUsed: false,
      statusEffects: [],
      districtId,
      linkedOrderId: null,
    },
  };
}

/**
 * One subscription on the run's topic for world's three consumers: each batch is split by the
 * event's catalogue topic (its envelope's type) and handed to that consumer, which validates it
 * as such; `counted` hears how many events committed.
 */
function dispatching(group: string, wireTopic: string, consumers: Subscription[], counted: (n: number) => void) {
  const byTopic = new Map(consumers.flatMap((consumer) => consumer.topics.map((topic) => [topic, consumer])));
  const consumerOf = (record: BusRecord) => {
    const consumer = byTopic.get(record.envelope.type);
    if (!consumer?.handleBatch) throw new Error(`no batch consumer for ${record.envelope.type}`);
    return consumer;
  };
  const asCatalogue = (record: BusRecord): BusRecord => ({ ...record, topic: record.envelope.type });
  return {
    group,
    topics: [wireTopic],
    handle: async (record: BusRecord) => {
      await consumerOf(record).handle(asCatalogue(record));
      counted(1);
    },
    handleBatch: async (records: BusRecord[]) => {
      const groups = new Map<Subscription, BusRecord[]>();
      for (const record of records) groups.set(consumerOf(record), [...(groups.get(consumerOf(record)) ?? []), record]);
      for (const [consumer, own] of groups) {
        const mapped = own.map(asCatalogue);
        try {
          await consumer.handleBatch?.(mapped);
        } catch (error) {
          // The bus finds the failing record by identity: name the one it handed over.
          if (!(error instanceof BatchRecordError)) throw error;
          throw new BatchRecordError(own[mapped.indexOf(error.record)] as BusRecord, error.cause);
        }
        counted(own.length);
      }
    },
  } satisfies Subscription;
}

/** Drains the run's topic with `subscription` on a bus of its own; the events per second, first poll to last commit. */
async function drain(
  brokers: string[],
  build: (counted: (n: number) => void) => Subscription,
): Promise<{ seconds: number; perSecond: number }> {
  const bus = new KafkaBus({
    brokers,
    clientId: 'necp-bench-world',
    logger,
    metrics: new Registry(),
    partitions,
    maxBatchSize: consumerBatchSize,
    replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1),
  });
  let consumed = 0;
  let lastAt = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const started = performance.now();
  await bus.subscribe(
    build((n) => {
      consumed += n;
      lastAt = performance.now();
      if (consumed >= total) allDone();
    }),
  );
  const progress = setInterval(() => process.stderr.write(`  consumed ${consumed}/${total}\n`), 5_000);
  await done;
  clearInterval(progress);
  await bus.close();
  const seconds = (lastAt - started) / 1_000;
  return { seconds, perSecond: Math.round(total / seconds) };
}

async function eventsFromKafka(): Promise<void> {
  if (!process.env.KAFKA_BROKERS || !process.env.DATABASE_URL) {
    process.stderr.write('world-unrest needs KAFKA_BROKERS and DATABASE_URL: eval "$(scripts/infra.sh up)" first\n');
    process.exit(2);
  }
  const brokers = parseBrokers(process.env.KAFKA_BROKERS);
  const fresh = await createTestDatabase();
  // A connection per partition lane (each holds one for its batch's transaction).
  const db = await createDatabase({ databaseUrl: fresh.url, dataDir: 'memory://', poolSize: partitions + 2 });
  const wireTopic = `bench.world-unrest.${randomUUID().slice(0, 8)}`;
  const publisher = new KafkaBus({
    brokers,
    clientId: 'necp-bench-world-publisher',
    logger,
    metrics: new Registry(),
    partitions,
    replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1),
  });
  try {
    await migrate(db, [
      platformMigrations,
      { scope: 'world', directory: new URL('../../services/world/migrations/', import.meta.url) },
    ]);
    const world = db.typed<WorldTables>() as WorldDeps['db'];
    await openCity(world, new Date());
    await sql`CREATE TABLE bench_effects (event_id uuid PRIMARY KEY, topic text NOT NULL)`.execute(db.kysely);
    await publisher.ensureTopics([wireTopic]);

    process.stderr.write(`publishing ${total} events to ${wireTopic} ...\n`);
    const combats = Array.from({ length: 200 }, () => randomUUID());
    const chunk = 1_000;
    for (let first = 0; first < total; first += chunk) {
      const records: BusRecord[] = [];
      for (let n = first; n < Math.min(total, first + chunk); n++) {
        const event = nthEvent(n, combats);
        records.push({
          topic: wireTopic,
          key: event.key,
          headers: {},
          envelope: {
            eventId: randomUUID(),
            type: event.topic satisfies Topic,
            occurredAt: new Date().toISOString(),
            producer: 'bench',
            traceId: randomUUID().replaceAll('-', ''),
            key: event.key,
            payload: event.payload,
          },
        });
      }
      await publisher.publish(records);
    }

    process.stderr.write('baseline: the least effect (one row per event) ...\n');
    const baseline = await drain(brokers, (counted) => {
      const least = (topic: Reacted) =>
        idempotentSetConsumer(db, 'bench.least', [topic], async (trx, events) => {
          await sql`INSERT INTO bench_effects VALUES ${sql.join(events.map((event) => sql`(${event.eventId}, ${event.type})`))}`.execute(
            trx,
          );
        });
      return dispatching(
        `bench.world-least.${randomUUID().slice(0, 8)}`,
        wireTopic,
        [least('combat.ballistics.events'), least('economy.crafting.jobs'), least('social.orders.lifecycle')],
        counted,
      );
    });
    process.stderr.write("world's reactions ...\n");
    const deps = { database: db } as WorldDeps;
    const reactions = await drain(brokers, (counted) =>
      dispatching(
        `bench.world-reactions.${randomUUID().slice(0, 8)}`,
        wireTopic,
        [ballisticsReactions(deps), craftingReactions(deps), orderReactions(deps)],
        counted,
      ),
    );

    // Every event counted once: the ballistics counters hold every shot, the history every step.
    const counters = await sql<{ kind: string; n: string }>`
      SELECT kind, sum(count) AS n FROM mvp_core.world_event_counters GROUP BY kind ORDER BY kind`.execute(db.kysely);
    const processed = await sql<{ n: string }>`
      SELECT count(*) AS n FROM mvp_meta.processed_events WHERE consumer_group LIKE 'world.%'`.execute(db.kysely);
    process.stdout.write(
      `\nEvents applied from Kafka (${total} events, ${partitions} partitions, batches of at most ${consumerBatchSize}; effect and idempotency record in one transaction)\n` +
        `  baseline, one row per event:  ${baseline.perSecond} events/s (${baseline.seconds.toFixed(1)} s)\n` +
        `  world's reactions:            ${reactions.perSecond} events/s (${reactions.seconds.toFixed(1)} s), ` +
        `${(reactions.perSecond / baseline.perSecond).toFixed(2)}× the baseline (target ≥ ${target}/s: ${reactions.perSecond >= target ? 'met' : 'not met'})\n` +
        `  processed-event records: ${processed.rows[0]?.n}; counters: ${counters.rows.map((row) => `${row.kind} ${row.n}`).join(', ')}\n`,
    );
  } finally {
    await publisher.close();
    const admin = new Admin({ clientId: 'necp-bench-admin', bootstrapBrokers: brokers });
    await admin.deleteTopics({ topics: [wireTopic] }).catch(() => undefined);
    await admin.close();
    await db.close();
    await fresh.close();
  }
}

interface Targets {
  gateway: number;
  world: number;
  token: string;
}

async function serve(): Promise<void> {
  const { startBenchBackend } = await import('./fixtures/bench-backend.ts');
  const { ports, issuer, stop } = await startBenchBackend();
  const token = await issuer.token({ expiresInSeconds: 3600 });
  const operator = await issuer.token({ roles: ['world.operator'], expiresInSeconds: 3600 });
  // A district with a history worth a forecast: 40 impacts.
  for (let n = 0; n < 40; n++) {
    const applied = await fetch(`http://127.0.0.1:${ports.gateway}/api/v1/world/impact/apply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        sourceType: 'manual',
        sourceId: `bench-${n % 7}`,
        districtId: 'watson',
        deltaUnrest: n % 2 ? 1.5 : -1,
      }),
    });
    if (applied.status !== 201) throw new Error(`an impact failed: ${applied.status} ${await applied.text()}`);
  }
  announceTargets({ gateway: ports.gateway, world: ports.world, token } satisfies Targets, stop);
}

async function readsThroughGateway(): Promise<void> {
  const backend = await serveInChild<Targets>(new URL(import.meta.url).pathname);
  const { targets } = backend;
  try {
    const headers = { authorization: `Bearer ${targets.token}` };
    const detail = '/api/v1/world/unrest/watson';
    const direct = await load({
      name: 'GET unrest detail, world direct',
      url: `http://127.0.0.1:${targets.world}${detail}`,
      headers,
    });
    const viaGateway = await load({
      name: 'GET unrest detail via gateway',
      url: `http://127.0.0.1:${targets.gateway}${detail}`,
      headers,
    });
    const list = await load({
      name: 'GET districts via gateway (public)',
      url: `http://127.0.0.1:${targets.gateway}/api/v1/world/districts`,
    });
    const rows: LoadResult[] = [direct, viaGateway, list];
    printTable('Unrest reads (autocannon, 50 connections; backend in one child process)', rows, direct);
    if (rows.some((row) => row.non2xx + row.errors > 0)) {
      process.stdout.write('warning: some reads failed; the figures above are not clean\n');
    }
  } finally {
    await backend.stop();
  }
}

if (process.argv.includes('--serve')) await serve();
else {
  await eventsFromKafka();
  await readsThroughGateway();
}
