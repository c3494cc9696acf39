/**
 * The distributed event path on a real Kafka 4 broker and a real PostgreSQL: outbox, relay,
 * KafkaBus, consumer groups, dead letters, relay replicas, a broker outage. One file, tests in
 * sequence: the outage test stops the shared broker and must not overlap the others.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deadLetterTopic, type EventEnvelope } from '@necp/contracts';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { type Kysely, sql } from 'kysely';
import { Registry } from 'prom-client';
import { PoisonMessageError } from '../../src/events/bus.ts';
import { idempotentConsumer } from '../../src/events/consumer.ts';
import type { KafkaBus } from '../../src/events/kafka-bus.ts';
import { writeEvent } from '../../src/events/outbox.ts';
import { OutboxRelay } from '../../src/events/outbox-relay.ts';
import type { SqlDatabase } from '../../src/sql/database.ts';
import type { PlatformTables } from '../../src/sql/platform-tables.ts';
import { createTestDatabase, realDatabaseUrl, realKafkaBrokers, type TestDatabase } from '../../src/testing.ts';
import {
  brokers,
  freshName,
  freshTopic,
  newKafkaBus,
  type RawMessage,
  readTopic,
  silentLogger,
  waitFor,
  writeTestEvent,
} from './fixtures/kafka-helpers.ts';

const repoRoot = new URL('../../../../', import.meta.url).pathname;
const crashingConsumer = new URL('./fixtures/kafka-crashing-consumer.ts', import.meta.url).pathname;

function relayOn(db: SqlDatabase, bus: KafkaBus, metrics = new Registry()): OutboxRelay {
  return new OutboxRelay({ db, bus, logger: silentLogger, metrics, pollIntervalMs: 100 });
}

async function effectCounts(db: SqlDatabase): Promise<Map<string, number>> {
  const rows = await sql<{ event_id: string; n: number }>`
    SELECT event_id::text, count(*)::int AS n FROM effects GROUP BY event_id`.execute(db.kysely);
  return new Map(rows.rows.map((row) => [row.event_id, row.n]));
}

async function pendingRows(db: SqlDatabase): Promise<number> {
  const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM mvp_meta.outbox WHERE sent_at IS NULL`.execute(
    db.kysely,
  );
  return rows.rows[0]?.n ?? -1;
}

function eventIdsOf(messages: RawMessage[]): string[] {
  return messages.map((message) => message.headers.get('id') ?? '');
}

async function createEffectsTable(db: SqlDatabase): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS effects (event_id uuid NOT NULL, consumer text NOT NULL, at timestamptz DEFAULT clock_timestamp())`.execute(
    db.kysely,
  );
}

// A real-phase file: without the servers it fails loudly rather than skipping.
assert.ok(realKafkaBrokers && realDatabaseUrl, 'these tests need KAFKA_BROKERS and DATABASE_URL (scripts/infra.sh up)');

describe('outbox → Kafka → consumer groups on a real broker', () => {
  let producerDb: TestDatabase;
  let consumerDb: TestDatabase;
  let bus: KafkaBus;
  const extraBuses: KafkaBus[] = [];

  before(async () => {
    producerDb = await createTestDatabase();
    consumerDb = await createTestDatabase();
    await createEffectsTable(consumerDb.db);
    bus = newKafkaBus();
  });
  after(async () => {
    await Promise.all(extraBuses.map((each) => each.close()));
    await bus?.close();
    await producerDb?.close();
    await consumerDb?.close();
  });

  it('creates every catalogue topic and its dead-letter topic when absent, idempotently', async () => {
    const { Topics } = await import('@necp/contracts');
    const { topicsWithDeadLetters } = await import('../../src/events/kafka-records.ts');
    const wanted = topicsWithDeadLetters(Topics, deadLetterTopic);
    await bus.ensureTopics(wanted);
    assert.deepEqual(await bus.ensureTopics(wanted), [], 'a second run creates nothing');
    await bus.ping();
  });

  it('an event committed with its change reaches a consumer of another service exactly once in effect', async () => {
    const accountId = randomUUID();
    await sql`CREATE TABLE IF NOT EXISTS accounts (id uuid PRIMARY KEY)`.execute(producerDb.db.kysely);
    const envelope = await producerDb.db.kysely.transaction().execute(async (trx) => {
      await sql`INSERT INTO accounts VALUES (${accountId})`.execute(trx);
      return writeEvent(trx as unknown as Kysely<PlatformTables>, 'auth', {
        topic: 'auth.account.created',
        key: accountId,
        payload: { accountId, username: `player-${accountId.slice(0, 8)}`, createdAt: new Date().toISOString() },
      });
    });
    const relay = relayOn(producerDb.db, bus);
    assert.equal(await relay.drain(), 1);
    // A relay that crashed after publishing and before marking the row sent publishes it again.
    await bus.publish([{ topic: 'auth.account.created', key: accountId, envelope, headers: { id: envelope.eventId } }]);

    const consumerBus = newKafkaBus();
    extraBuses.push(consumerBus);
    await consumerBus.subscribe(
      idempotentConsumer(
        consumerDb.db,
        freshName('character.accounts'),
        ['auth.account.created'],
        async (trx, event) => {
          await sql`INSERT INTO effects (event_id, consumer) VALUES (${event.eventId}, 'character')`.execute(trx);
        },
      ),
    );
    await waitFor('the effect', async () => (await effectCounts(consumerDb.db)).get(envelope.eventId));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal((await effectCounts(consumerDb.db)).get(envelope.eventId), 1);
  });

  it('a rolled-back transaction publishes nothing; what is published carries the outbox row as Debezium would', async () => {
    const topic = await freshTopic(bus);
    const key = randomUUID();
    await assert.rejects(
      producerDb.db.kysely.transaction().execute(async (trx) => {
        await writeTestEvent(trx, topic, key, { n: 1, note: 'rolled back' });
        throw new Error('the change fails');
      }),
      /the change fails/,
    );
    const relay = relayOn(producerDb.db, bus);
    assert.equal(await relay.drain(), 0);
    const committed = await producerDb.db.kysely
      .transaction()
      .execute((trx) =>
        writeTestEvent(trx, topic, key, { n: 2, list: [1, 2.5, 'x'], nested: { ok: true, none: null } }),
      );
    assert.equal(await relay.drain(), 1);

    const messages = await readTopic(topic, (got) => got.length >= 1);
    assert.equal(messages.length, 1, 'only the committed event is on the topic');
    const [message] = messages as [RawMessage];
    const row = await sql<{ payload: string; aggregateid: string; tracingspancontext: string }>`
      SELECT payload::text AS payload, aggregateid, tracingspancontext FROM mvp_meta.outbox WHERE id = ${committed.eventId}`.execute(
      producerDb.db.kysely,
    );
    const stored = row.rows[0];
    assert.ok(stored);
    // Debezium's router with the string converter sends the payload column as PostgreSQL prints it.
    assert.equal(message.value, stored.payload);
    assert.deepEqual(JSON.parse(message.value), committed);
    assert.equal(message.key, stored.aggregateid);
    assert.equal(message.headers.get('id'), committed.eventId);
    assert.equal(message.headers.get('traceparent'), stored.tracingspancontext);
  });

  it('a poison message goes to <topic>.dlq with its error and the partition moves on', async () => {
    const onePartition = newKafkaBus({ partitions: 1 });
    extraBuses.push(onePartition);
    const topic = await freshTopic(onePartition);
    const group = freshName('poison-group');
    const key = 'same-key';
    const good1 = await producerDb.db.kysely.transaction().execute((trx) => writeTestEvent(trx, topic, key, { n: 1 }));
    const poison = await producerDb.db.kysely.transaction().execute((trx) => writeTestEvent(trx, topic, key, { n: 2 }));
    const failing = await producerDb.db.kysely
      .transaction()
      .execute((trx) => writeTestEvent(trx, topic, key, { n: 3 }));
    const good2 = await producerDb.db.kysely.transaction().execute((trx) => writeTestEvent(trx, topic, key, { n: 4 }));
    assert.equal(await relayOn(producerDb.db, onePartition).drain(), 4);
    // Not even JSON: it cannot reach a handler at all.
    const raw = new Producer({ clientId: 'necp-test-raw', bootstrapBrokers: brokers, serializers: stringSerializers });
    await raw.send({ messages: [{ topic, key, value: 'not json {', headers: { id: 'raw-1' } }] });
    await raw.close();

    const handled: string[] = [];
    const attempts = new Map<string, number>();
    const consumer = idempotentConsumer(consumerDb.db, group, [topic as never], async (trx, event) => {
      attempts.set(event.eventId, (attempts.get(event.eventId) ?? 0) + 1);
      if (event.eventId === poison.eventId) throw new PoisonMessageError('cannot ever apply this');
      if (event.eventId === failing.eventId) throw new Error('keeps failing');
      await sql`INSERT INTO effects (event_id, consumer) VALUES (${event.eventId}, 'poison-test')`.execute(trx);
      handled.push(event.eventId);
    });
    const consumerBus = newKafkaBus();
    extraBuses.push(consumerBus);
    await consumerBus.subscribe(consumer);

    const letters = await readTopic(deadLetterTopic(topic), (got) => got.length >= 3);
    await waitFor('the event after the poison', async () => handled.includes(good2.eventId));
    // The effects committed, not the handler calls: a batch that failed on the poison ran good1's
    // handler, rolled back, and ran it again alone.
    const effects = await sql<{ event_id: string }>`
      SELECT event_id::text FROM effects WHERE consumer = 'poison-test' ORDER BY at`.execute(consumerDb.db.kysely);
    assert.deepEqual(
      effects.rows.map((row) => row.event_id),
      [good1.eventId, good2.eventId],
      'in order, past the poison',
    );
    assert.equal(attempts.get(poison.eventId), 1, 'a PoisonMessageError is not retried');
    assert.equal(attempts.get(failing.eventId), 3, 'a failing handler is retried maxAttempts times');
    assert.equal(letters.length, 3);
    const byId = new Map(letters.map((letter) => [letter.headers.get('id'), letter]));
    const poisonLetter = byId.get(poison.eventId);
    assert.equal(poisonLetter?.headers.get('error'), 'cannot ever apply this');
    assert.equal(poisonLetter?.headers.get('consumer-group'), group);
    assert.equal(poisonLetter?.headers.get('attempts'), '1');
    assert.equal(JSON.parse(poisonLetter?.value ?? '{}').eventId, poison.eventId);
    assert.equal(byId.get(failing.eventId)?.headers.get('error'), 'keeps failing');
    assert.equal(byId.get(failing.eventId)?.headers.get('attempts'), '3');
    assert.equal(byId.get('raw-1')?.value, 'not json {', 'an unreadable value is dead-lettered as it came');
    assert.match(byId.get('raw-1')?.headers.get('error') ?? '', /not JSON/);
  });

  it('batches through Kafka: a duplicate and a new event get one effect each; a failing record is isolated', async () => {
    const onePartition = newKafkaBus({ partitions: 1 });
    extraBuses.push(onePartition);
    const topic = await freshTopic(onePartition);
    const group = freshName('batch-group');
    const key = 'batch-key';
    const written: EventEnvelope[] = [];
    await producerDb.db.kysely.transaction().execute(async (trx) => {
      for (let n = 0; n < 12; n++) written.push(await writeTestEvent(trx, topic, key, { n }));
    });
    const [processedBefore, , , failing] = written as [EventEnvelope, EventEnvelope, EventEnvelope, EventEnvelope];
    assert.equal(await relayOn(producerDb.db, onePartition).drain(), written.length);
    // The relay publishes the first event again (a crash before it marked the row sent).
    await onePartition.publish([{ topic, key, envelope: processedBefore, headers: { id: processedBefore.eventId } }]);

    const attempts = new Map<string, number>();
    const consumer = idempotentConsumer(consumerDb.db, group, [topic as never], async (trx, event) => {
      attempts.set(event.eventId, (attempts.get(event.eventId) ?? 0) + 1);
      if (event.eventId === failing.eventId) throw new Error('this one keeps failing');
      await sql`INSERT INTO effects (event_id, consumer) VALUES (${event.eventId}, 'batch-test')`.execute(trx);
    });
    // Processed before the group ever fetched it: its delivery in a batch must have no effect.
    await consumer.handle({ topic, key, envelope: processedBefore, headers: {} });

    const batches: string[] = [];
    const consumerBus = newKafkaBus();
    extraBuses.push(consumerBus);
    await consumerBus.subscribe({
      ...consumer,
      handleBatch: async (records) => {
        try {
          await consumer.handleBatch?.(records);
          batches.push(`${records.length} ok`);
        } catch (error) {
          batches.push(`${records.length} failed`);
          throw error;
        }
      },
    });
    const letters = await readTopic(deadLetterTopic(topic), (got) => got.length >= 1);
    await waitFor('every other event to have its effect', async () => {
      const counts = await effectCounts(consumerDb.db);
      return written.every((event) => event === failing || counts.has(event.eventId));
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const counts = await effectCounts(consumerDb.db);
    for (const event of written) {
      assert.equal(
        counts.get(event.eventId),
        event === failing ? undefined : 1,
        `effects of n=${(event.payload as { n: number }).n}`,
      );
    }
    assert.equal(attempts.get(processedBefore.eventId), 1, 'the processed event and its copy were skipped');
    assert.equal(attempts.get(failing.eventId), 3, 'maxAttempts, the failed batch counted as the first');
    assert.ok(
      batches.some((batch) => batch.endsWith('ok') && Number(batch.split(' ')[0]) > 1),
      `records went in batches: ${batches.join(', ')}`,
    );
    assert.ok(
      batches.some((batch) => batch.endsWith('failed')),
      'the failing record failed its batch',
    );
    assert.equal(letters.length, 1);
    assert.equal(letters[0]?.headers.get('id'), failing.eventId);
    assert.equal(letters[0]?.headers.get('error'), 'this one keeps failing');
    assert.equal(letters[0]?.headers.get('attempts'), '3');
  });

  it('a consumer that crashes mid-batch repeats no effect when its group takes over', async () => {
    const topic = await freshTopic(bus);
    const group = freshName('crash-group');
    const written: string[] = [];
    await producerDb.db.kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < 60; i++) written.push((await writeTestEvent(trx, topic, `key-${i % 7}`, { n: i })).eventId);
    });
    assert.equal(await relayOn(producerDb.db, bus).drain(), 60);

    const child = spawn(process.execPath, [crashingConsumer], {
      env: { ...process.env, DATABASE_URL: consumerDb.url, TOPIC: topic, GROUP: group, CRASH_AFTER: '20' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const crashPoints: string[] = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      for (const match of chunk.matchAll(/crash-point (\S+)/g)) crashPoints.push(match[1] as string);
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await waitFor('the consumer to hang after an effect', async () => crashPoints.length > 0, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGKILL');
    await exited;
    const beforeTakeover = await effectCounts(consumerDb.db);
    for (const eventId of crashPoints) assert.equal(beforeTakeover.get(eventId), 1, 'the hung message had its effect');

    const delivered: string[] = [];
    const consumer = idempotentConsumer(consumerDb.db, group, [topic as never], async (trx, event) => {
      await sql`INSERT INTO effects (event_id, consumer) VALUES (${event.eventId}, 'takeover')`.execute(trx);
    });
    const takeover = newKafkaBus();
    extraBuses.push(takeover);
    await takeover.subscribe({
      ...consumer,
      handle: async (record) => {
        delivered.push(record.envelope.eventId);
        await consumer.handle(record);
      },
    });
    await waitFor(
      'every event to have its effect',
      async () => {
        const counts = await effectCounts(consumerDb.db);
        return written.every((eventId) => counts.has(eventId));
      },
      90_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const counts = await effectCounts(consumerDb.db);
    for (const eventId of written) assert.equal(counts.get(eventId), 1, `one effect for ${eventId}`);
    for (const eventId of crashPoints) {
      assert.ok(delivered.includes(eventId), 'the uncommitted message was delivered again, and deduped');
    }
  });

  it('two relay replicas on two connection pools publish every row once, in order per key', async () => {
    const topic = await freshTopic(bus);
    const secondPool = await producerDb.connectAgain();
    const secondBus = newKafkaBus();
    extraBuses.push(secondBus);
    const relays = [relayOn(producerDb.db, bus), relayOn(secondPool, secondBus)];
    await Promise.all(relays.map((relay) => relay.start()));
    const written: string[] = [];
    try {
      for (let batch = 0; batch < 40; batch++) {
        await producerDb.db.kysely.transaction().execute(async (trx) => {
          for (let i = 0; i < 25; i++) {
            const n = batch * 25 + i;
            written.push((await writeTestEvent(trx, topic, `key-${n % 13}`, { n })).eventId);
          }
        });
      }
      await waitFor('the outbox to drain', async () => (await pendingRows(producerDb.db)) === 0);
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
    }
    const messages = await readTopic(topic, (got) => got.length >= written.length);
    const ids = eventIdsOf(messages);
    assert.equal(ids.length, written.length, 'each row once: no duplicates, none missing');
    assert.deepEqual(new Set(ids), new Set(written));
    const lastByKey = new Map<string, number>();
    for (const message of messages.sort((a, b) => Number(a.offset - b.offset))) {
      const n = JSON.parse(message.value).payload.n as number;
      assert.ok(n > (lastByKey.get(message.key) ?? -1), `order of ${message.key}`);
      lastByKey.set(message.key, n);
    }
  });

  it('a broker stop and start during publishing loses nothing', async () => {
    const topic = await freshTopic(bus);
    const group = freshName('outage-group');
    const consumerBus = newKafkaBus();
    extraBuses.push(consumerBus);
    await consumerBus.subscribe(
      idempotentConsumer(consumerDb.db, group, [topic as never], async (trx, event) => {
        await sql`INSERT INTO effects (event_id, consumer) VALUES (${event.eventId}, 'outage')`.execute(trx);
      }),
    );
    const relayMetrics = new Registry();
    const relay = relayOn(producerDb.db, bus, relayMetrics);
    await relay.start();
    const written: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let batch = 0; writing; batch++) {
        await producerDb.db.kysely.transaction().execute(async (trx) => {
          for (let i = 0; i < 20; i++) {
            const n = batch * 20 + i;
            written.push((await writeTestEvent(trx, topic, `key-${n % 11}`, { n })).eventId);
          }
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      // Down for longer than the producer's own retries (3 × 1 s): the relay's publish must fail.
      await runScript('scripts/infra/kafka-restart.sh', ['restart', '8']);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      writing = false;
      await writer;
      await waitFor(
        'the outbox to drain after the outage',
        async () => (await pendingRows(producerDb.db)) === 0,
        120_000,
      );
    } finally {
      writing = false;
      await relay.stop();
    }
    const messages = await readTopic(topic, (got) => new Set(eventIdsOf(got)).size >= written.length, {
      timeoutMs: 60_000,
    });
    const failures = (await relayMetrics.getSingleMetric('outbox_relay_failures_total')?.get())?.values[0]?.value ?? 0;
    assert.ok(failures > 0, 'the relay saw the outage (batches failed and stayed pending)');
    assert.deepEqual(new Set(eventIdsOf(messages)), new Set(written), 'every event is on the topic');
    await waitFor(
      'the consumer to catch up after the outage',
      async () => {
        const counts = await effectCounts(consumerDb.db);
        return written.every((eventId) => counts.has(eventId));
      },
      90_000,
    );
    const counts = await effectCounts(consumerDb.db);
    for (const eventId of written) assert.equal(counts.get(eventId), 1);
  });
});

function runScript(script: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
  });
}
