import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { EventEnvelope } from '@necp/contracts';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import type { BusRecord } from '../../src/events/bus.ts';
import { idempotentConsumer } from '../../src/events/consumer.ts';
import { InProcessBus } from '../../src/events/in-process-bus.ts';
import { writeEvent } from '../../src/events/outbox.ts';
import { OutboxRelay } from '../../src/events/outbox-relay.ts';
import { createLogger } from '../../src/logger.ts';
import { adapterLabel, createTestDatabase, type TestDatabase } from '../../src/testing.ts';

const logger = createLogger('test', 'silent');
/** Thrown to roll a probe's transaction back. */
class RolledBack extends Error {}

const fastRetry = { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 5 };

function revoked(accountId = randomUUID()) {
  return { topic: 'auth.session.revoked' as const, key: accountId, payload: { accountId, sessionId: randomUUID() } };
}

describe(`outbox, relay and consumers on ${adapterLabel}`, () => {
  let test: TestDatabase;
  let bus: InProcessBus;
  let relay: OutboxRelay;
  let delivered: BusRecord[];

  before(async () => {
    test = await createTestDatabase();
    await sql`CREATE TABLE effects (event_id uuid, note text)`.execute(test.db.kysely);
  });
  after(() => test.close());
  beforeEach(async () => {
    await sql`UPDATE mvp_meta.outbox SET sent_at = now() WHERE sent_at IS NULL`.execute(test.db.kysely);
    bus = new InProcessBus(logger, fastRetry);
    relay = new OutboxRelay({ db: test.db, bus, logger, metrics: new Registry() });
    delivered = [];
    await bus.subscribe({
      group: 'observer',
      topics: ['auth.session.revoked'],
      handle: async (r) => void delivered.push(r),
    });
  });

  const effectCount = async (eventId: string) =>
    Number(
      (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM effects WHERE event_id = ${eventId}`.execute(
          test.db.kysely,
        )
      ).rows[0]?.n,
    );

  it('publishes an event written in a committed transaction, with its envelope and trace header', async () => {
    const envelope = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked()));
    assert.equal(await relay.drain(), 1);
    assert.equal(delivered.length, 1);
    const record = delivered[0] as BusRecord;
    assert.equal(record.topic, 'auth.session.revoked');
    assert.equal(record.key, envelope.key);
    assert.deepEqual(record.envelope, envelope);
    assert.equal(record.headers.id, envelope.eventId);
    assert.match(record.headers.traceparent ?? '', new RegExp(`^00-${envelope.traceId}-`));
    assert.equal(await relay.drain(), 0, 'a sent row is not sent again');
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    await assert.rejects(
      test.db.kysely.transaction().execute(async (trx) => {
        await writeEvent(trx, 'auth', revoked());
        throw new Error('the change failed');
      }),
    );
    assert.equal(await relay.drain(), 0);
    assert.equal(delivered.length, 0);
  });

  it('refuses a payload that breaks its topic contract', async () => {
    await assert.rejects(
      test.db.kysely
        .transaction()
        .execute((trx) =>
          writeEvent(trx, 'auth', { topic: 'auth.session.revoked', key: 'k', payload: { accountId: 'nope' } as never }),
        ),
      /invalid auth.session.revoked payload/,
    );
  });

  it('keeps the order of events per key', async () => {
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    const written: EventEnvelope[] = [];
    for (let round = 0; round < 20; round++) {
      for (const key of keys) {
        written.push(await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked(key))));
      }
    }
    await relay.drain();
    for (const key of keys) {
      assert.deepEqual(
        delivered.filter((record) => record.key === key).map((record) => record.envelope.eventId),
        written.filter((envelope) => envelope.key === key).map((envelope) => envelope.eventId),
      );
    }
  });

  it('gives a redelivered event no second effect', async () => {
    const consumer = idempotentConsumer(test.db, 'effects', ['auth.session.revoked'], async (trx, event) => {
      await sql`INSERT INTO effects VALUES (${event.eventId}, 'once')`.execute(trx);
    });
    await bus.subscribe(consumer);
    const envelope = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked()));
    await relay.drain();
    await consumer.handle(delivered[0] as BusRecord);
    await consumer.handle(delivered[0] as BusRecord);
    assert.equal(await effectCount(envelope.eventId), 1);
  });

  it('hands a relay batch to a batch consumer in one transaction: one effect each, in order per key', async () => {
    await sql`ALTER TABLE effects ADD COLUMN IF NOT EXISTS n serial`.execute(test.db.kysely);
    const consumer = idempotentConsumer(test.db, 'batched', ['auth.session.revoked'], async (trx, event) => {
      await sql`INSERT INTO effects (event_id, note) VALUES (${event.eventId}, 'batched')`.execute(trx);
    });
    const batchSizes: number[] = [];
    await bus.subscribe({
      ...consumer,
      handleBatch: async (records) => {
        await consumer.handleBatch?.(records);
        batchSizes.push(records.length);
      },
    });
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    const written: EventEnvelope[] = [];
    await test.db.kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < 30; i++) written.push(await writeEvent(trx, 'auth', revoked(keys[i % 3])));
    });
    assert.equal(await relay.drain(), 30);
    // the first ten again, as a relay that crashed before marking them sent would
    await bus.publish(
      written.slice(0, 10).map((envelope) => ({ topic: envelope.type, key: envelope.key, envelope, headers: {} })),
    );
    assert.deepEqual(batchSizes, [30, 10]);
    const rows = await sql<{ event_id: string }>`
      SELECT event_id::text FROM effects WHERE note = 'batched' ORDER BY n`.execute(test.db.kysely);
    assert.deepEqual(
      rows.rows.map((row) => row.event_id),
      written.map((envelope) => envelope.eventId),
      'each event once, in the order written',
    );
  });

  it('rolls the effect back with a failing handler and applies it once on the retry', async () => {
    let attempts = 0;
    await bus.subscribe(
      idempotentConsumer(test.db, 'flaky', ['auth.session.revoked'], async (trx, event) => {
        attempts++;
        await sql`INSERT INTO effects VALUES (${event.eventId}, 'flaky')`.execute(trx);
        if (attempts === 1) throw new Error('transient');
      }),
    );
    const envelope = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked()));
    await relay.drain();
    assert.equal(attempts, 2);
    assert.equal(await effectCount(envelope.eventId), 1);
  });

  it('dead-letters a poison event after bounded retries and moves on', async () => {
    const deadLetters: BusRecord[] = [];
    await bus.subscribe({
      group: 'dlq',
      topics: ['auth.session.revoked.dlq'],
      handle: async (r) => void deadLetters.push(r),
    });
    let attempts = 0;
    const handled: string[] = [];
    await bus.subscribe(
      idempotentConsumer(test.db, 'picky', ['auth.session.revoked'], async (_trx, event) => {
        if (event.payload.sessionId === poisonSession) {
          attempts++;
          throw new Error('cannot handle this one');
        }
        handled.push(event.eventId);
      }),
    );
    const poison = revoked();
    const poisonSession = poison.payload.sessionId;
    await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', poison));
    const next = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked(poison.key)));
    await relay.drain();
    assert.equal(attempts, fastRetry.maxAttempts);
    assert.equal(deadLetters.length, 1);
    assert.equal(deadLetters[0]?.headers.error, 'cannot handle this one');
    assert.equal(deadLetters[0]?.headers['consumer-group'], 'picky');
    assert.deepEqual(handled, [next.eventId], 'the next event on the same key was handled');
  });

  it('dead-letters an event that breaks the envelope contract without retrying', async () => {
    const deadLetters: BusRecord[] = [];
    await bus.subscribe({
      group: 'dlq',
      topics: ['auth.session.revoked.dlq'],
      handle: async (r) => void deadLetters.push(r),
    });
    let calls = 0;
    await bus.subscribe(
      idempotentConsumer(test.db, 'strict', ['auth.session.revoked'], async () => {
        calls++;
      }),
    );
    const bad = { eventId: 'not-a-uuid', type: 'x', payload: {} } as unknown as EventEnvelope;
    await bus.publish([{ topic: 'auth.session.revoked', key: 'k', envelope: bad, headers: {} }]);
    assert.equal(calls, 0);
    assert.equal(deadLetters.length, 1);
    assert.match(deadLetters[0]?.headers.error ?? '', /not an event envelope/);
  });

  it('leaves rows pending while the bus refuses them, and sends them when it recovers', async () => {
    let down = true;
    const failing = new InProcessBus(logger, fastRetry);
    const original = failing.publish.bind(failing);
    failing.publish = async (records) => {
      if (down) throw new Error('broker unavailable');
      return original(records);
    };
    const arrived: string[] = [];
    await failing.subscribe({
      group: 'g',
      topics: ['auth.session.revoked'],
      handle: async (r) => void arrived.push(r.envelope.eventId),
    });
    const flaky = new OutboxRelay({ db: test.db, bus: failing, logger, metrics: new Registry() });
    const envelope = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked()));
    await assert.rejects(flaky.tick(), /broker unavailable/);
    const pending = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM mvp_meta.outbox WHERE sent_at IS NULL`.execute(test.db.kysely);
    assert.equal(pending.rows[0]?.n, 1);
    down = false;
    assert.equal(await flaky.drain(), 1);
    assert.deepEqual(arrived, [envelope.eventId]);
  });

  it('wakes on NOTIFY without waiting for its poll', async () => {
    const slowPoll = new OutboxRelay({ db: test.db, bus, logger, metrics: new Registry(), pollIntervalMs: 60_000 });
    await slowPoll.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const envelope = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked()));
      const deadline = Date.now() + 5000;
      while (!delivered.some((record) => record.envelope.eventId === envelope.eventId) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(
        delivered.some((record) => record.envelope.eventId === envelope.eventId),
        'delivered well before the poll',
      );
    } finally {
      await slowPoll.stop();
    }
  });

  it('sends the rows of its own producers only, woken by their inserts', async () => {
    const scoped = new OutboxRelay({
      db: test.db,
      bus,
      logger,
      metrics: new Registry(),
      pollIntervalMs: 60_000,
      producers: ['auth'],
    });
    await scoped.start();
    const deliveredId = (eventId: string) => delivered.some((record) => record.envelope.eventId === eventId);
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const foreign = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'economy', revoked()));
      const own = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked()));
      const deadline = Date.now() + 5000;
      while (!deliveredId(own.eventId) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(deliveredId(own.eventId), 'its own producer woke it');
      assert.equal(await scoped.drain(), 0);
      assert.equal(deliveredId(foreign.eventId), false, "another producer's row is not its to send");
      assert.equal(await relay.drain(), 1, 'a relay for every producer sends it');
      assert.ok(deliveredId(foreign.eventId));
    } finally {
      await scoped.stop();
    }
  });

  it('lets a stream of small commits gather into one batch while it lingers', async () => {
    let publishCalls = 0;
    const counting = new InProcessBus(logger, fastRetry);
    const publish = counting.publish.bind(counting);
    counting.publish = async (records) => {
      publishCalls++;
      return publish(records);
    };
    let arrived = 0;
    await counting.subscribe({ group: 'g', topics: ['auth.session.revoked'], handle: async () => void arrived++ });
    const lingering = new OutboxRelay({
      db: test.db,
      bus: counting,
      logger,
      metrics: new Registry(),
      pollIntervalMs: 60_000,
      lingerMs: 1_000,
    });
    await lingering.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The first commit wakes the relay; the other nineteen arrive while it lingers. One key, so
      // one bucket: on PostgreSQL a batch takes a few of the key buckets, not all of them.
      const accountId = randomUUID();
      for (let n = 0; n < 20; n++) {
        await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked(accountId)));
      }
      const deadline = Date.now() + 5_000;
      while (arrived < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(arrived, 20);
      assert.equal(publishCalls, 1, 'twenty commits, one batch');
    } finally {
      await lingering.stop();
    }
  });

  it('gives each transaction its id before its first outbox number, which the relay scan floor relies on', async () => {
    // Two transactions: without the trigger, only a number PostgreSQL happens to WAL-log (one in 32)
    // comes with an id.
    for (let n = 0; n < 2; n++) {
      await test.db.kysely
        .transaction()
        .execute(async (trx) => {
          const inserted = await sql<{ xid: string | null }>`
            INSERT INTO mvp_meta.outbox (id, aggregatetype, aggregateid, type, payload, producer)
            SELECT gen_random_uuid(), 'probe', 'probe', 'probe',
              jsonb_build_object('xid', pg_current_xact_id_if_assigned()::text), 'probe'
            RETURNING payload->>'xid' AS xid`.execute(trx);
          assert.notEqual(inserted.rows[0]?.xid ?? null, null, 'the transaction had its id when the row was numbered');
          throw new RolledBack();
        })
        .catch((error: unknown) => {
          if (!(error instanceof RolledBack)) throw error;
        });
    }
  });

  it('marks rows sent in place: every mark a HOT update, with no new index entries', async () => {
    await test.db.kysely
      .transaction()
      .execute(async (trx) => {
        // One transaction writes and marks, so no earlier version on the pages can be pruned to make
        // room: the marks fit in the room the table's fillfactor leaves (migration 008).
        const ids: string[] = [];
        for (let n = 0; n < 40; n++) ids.push((await writeEvent(trx, 'auth', revoked())).eventId);
        // The relay's mark (OutboxBatches).
        await sql`UPDATE mvp_meta.outbox SET sent_at = now() WHERE id = ANY(${ids}::uuid[])`.execute(trx);
        const counts = await sql<{ updated: number; hot: number }>`
          SELECT n_tup_upd::int AS updated, n_tup_hot_upd::int AS hot
          FROM pg_stat_xact_user_tables WHERE schemaname = 'mvp_meta' AND relname = 'outbox'`.execute(trx);
        assert.deepEqual(counts.rows[0], { updated: 40, hot: 40 });
        throw new RolledBack();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
      });
  });

  it('counts its backlog from its scan floor without missing a pending row', async () => {
    const metrics = new Registry();
    const counting = new OutboxRelay({ db: test.db, bus, logger, metrics });
    const backlog = async () => (await metrics.getSingleMetric('outbox_backlog')?.get())?.values[0]?.value;
    const write = () => test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked()));
    await write();
    await write();
    assert.equal(await backlog(), 2, 'before any scan, from the start');
    assert.equal(await counting.drain(), 2);
    assert.equal(await backlog(), 0);
    await write();
    await counting.tick();
    await write();
    assert.equal(await backlog(), 1, 'from the floor the scans raised');
  });

  it('starts a relay from the floor a relay of its producers kept, not from the sent history', async () => {
    const write = () => test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked()));
    const history = await write();
    const first = new OutboxRelay({ db: test.db, bus, logger, metrics: new Registry(), producers: ['auth'] });
    assert.equal(await first.drain(), 1);
    await write();
    assert.equal(await first.drain(), 1);
    await first.cleanup();
    // A row below the kept floor shown pending again (which no relay or writer ever does) tells a
    // relay that scanned the history from one that started at the floor.
    await sql`UPDATE mvp_meta.outbox SET sent_at = NULL WHERE id = ${history.eventId}`.execute(test.db.kysely);
    const later = new OutboxRelay({ db: test.db, bus, logger, metrics: new Registry(), producers: ['auth'] });
    assert.equal(await later.drain(), 0, 'started at the floor');
    const ofEveryProducer = new OutboxRelay({ db: test.db, bus, logger, metrics: new Registry() });
    assert.ok((await ofEveryProducer.drain()) >= 1, 'no floor kept for every producer: from the start');
  });

  it('deletes rows sent longer ago than the retention, and never a pending row', async () => {
    const retaining = new OutboxRelay({ db: test.db, bus, logger, metrics: new Registry(), retentionMs: 60_000 });
    const write = () => test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked()));
    const [old, recent] = [await write(), await write()];
    assert.equal(await retaining.drain(), 2);
    const stuck = await write();
    const age = (ids: string[], column: 'sent_at' | 'created_at') =>
      sql`UPDATE mvp_meta.outbox SET ${sql.ref(column)} = now() - interval '2 minutes' WHERE id = ANY(${ids}::uuid[])`.execute(
        test.db.kysely,
      );
    await age([old.eventId], 'sent_at');
    await age([stuck.eventId], 'created_at');
    assert.equal(await retaining.cleanup(), 1);
    const left = await sql<{ id: string }>`
      SELECT id::text FROM mvp_meta.outbox WHERE id = ANY(${[old.eventId, recent.eventId, stuck.eventId]}::uuid[])`.execute(
      test.db.kysely,
    );
    assert.deepEqual(new Set(left.rows.map((row) => row.id)), new Set([recent.eventId, stuck.eventId]));
    assert.equal(await retaining.drain(), 1, 'the pending row is still sent');
  });

  it('cleans up on its own while it runs', async () => {
    const running = new OutboxRelay({
      db: test.db,
      bus,
      logger,
      metrics: new Registry(),
      retentionMs: 0,
      cleanupIntervalMs: 50,
    });
    await running.start();
    try {
      const envelope = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked()));
      const present = async () =>
        (await sql`SELECT 1 FROM mvp_meta.outbox WHERE id = ${envelope.eventId}`.execute(test.db.kysely)).rows.length;
      const deadline = Date.now() + 5_000;
      while ((await present()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      assert.equal(await present(), 0, 'sent, then deleted');
      assert.ok(delivered.some((record) => record.envelope.eventId === envelope.eventId));
    } finally {
      await running.stop();
    }
  });
});
