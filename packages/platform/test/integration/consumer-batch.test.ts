/**
 * idempotentConsumer's batch path (`handleBatch`): one transaction for many events, all or
 * nothing, and a failing or invalid record isolated by the bus exactly as on the per-record path.
 * Runs on PGlite without variables and on PostgreSQL with DATABASE_URL.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { EventEnvelope } from '@necp/contracts';
import { sql } from 'kysely';
import { BatchRecordError, type BusRecord, PoisonMessageError, type Subscription } from '../../src/events/bus.ts';
import { idempotentConsumer, idempotentSetConsumer } from '../../src/events/consumer.ts';
import { InProcessBus } from '../../src/events/in-process-bus.ts';
import { createLogger } from '../../src/logger.ts';
import { adapterLabel, createTestDatabase, type TestDatabase } from '../../src/testing.ts';

const logger = createLogger('test', 'silent');
const fastRetry = { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 5 };
const topic = 'auth.session.revoked';

function record(accountId = randomUUID()): BusRecord {
  const envelope: EventEnvelope = {
    eventId: randomUUID(),
    type: topic,
    occurredAt: new Date().toISOString(),
    producer: 'test',
    traceId: randomUUID().replaceAll('-', ''),
    key: accountId,
    payload: { accountId, sessionId: randomUUID() },
  };
  return { topic, key: accountId, envelope, headers: { id: envelope.eventId } };
}

describe(`idempotentConsumer batches on ${adapterLabel}`, () => {
  let test: TestDatabase;
  let group: string;

  before(async () => {
    test = await createTestDatabase();
    await sql`CREATE TABLE effects (event_id uuid NOT NULL, consumer text NOT NULL, n serial)`.execute(test.db.kysely);
  });
  after(() => test.close());
  beforeEach(() => {
    group = `batch-${randomUUID().slice(0, 8)}`;
  });

  async function effects(): Promise<Map<string, number>> {
    const rows = await sql<{ event_id: string; n: number }>`
      SELECT event_id::text, count(*)::int AS n FROM effects WHERE consumer = ${group} GROUP BY event_id`.execute(
      test.db.kysely,
    );
    return new Map(rows.rows.map((row) => [row.event_id, row.n]));
  }

  async function claimed(): Promise<number> {
    const rows = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM mvp_meta.processed_events WHERE consumer_group = ${group}`.execute(test.db.kysely);
    return rows.rows[0]?.n ?? -1;
  }

  function consumer(fail?: (event: EventEnvelope) => Error | undefined): {
    subscription: Subscription;
    calls: string[];
  } {
    const calls: string[] = [];
    const subscription = idempotentConsumer(test.db, group, [topic], async (trx, event) => {
      calls.push(event.eventId);
      await sql`INSERT INTO effects (event_id, consumer) VALUES (${event.eventId}, ${group})`.execute(trx);
      const error = fail?.(event);
      if (error) throw error;
    });
    return { subscription, calls };
  }

  it('gives an event processed before and a new one in the same batch one effect each', async () => {
    const { subscription, calls } = consumer();
    const old = record();
    const fresh = record();
    await subscription.handle(old);
    assert.ok(subscription.handleBatch);
    await subscription.handleBatch([old, fresh]);
    const counts = await effects();
    assert.equal(counts.get(old.envelope.eventId), 1);
    assert.equal(counts.get(fresh.envelope.eventId), 1);
    assert.deepEqual(calls, [old.envelope.eventId, fresh.envelope.eventId], 'the old event was not handled again');
    assert.equal(await claimed(), 2);
  });

  it('claims an event delivered twice within one batch once, and handles in record order', async () => {
    const { subscription, calls } = consumer();
    const [a, b, c] = [record(), record(), record()] as [BusRecord, BusRecord, BusRecord];
    // A relay that published a row again can put both copies in one batch; an upper-case id is the same uuid.
    const aAgain = { ...a, envelope: { ...a.envelope, eventId: a.envelope.eventId.toUpperCase() } };
    await subscription.handleBatch?.([a, b, aAgain, c, b]);
    assert.deepEqual(calls, [a.envelope.eventId, b.envelope.eventId, c.envelope.eventId]);
    const counts = await effects();
    assert.deepEqual([...counts.values()], [1, 1, 1]);
    const order = await sql<{ event_id: string }>`
      SELECT event_id::text FROM effects WHERE consumer = ${group} ORDER BY n`.execute(test.db.kysely);
    assert.deepEqual(
      order.rows.map((row) => row.event_id),
      [a.envelope.eventId, b.envelope.eventId, c.envelope.eventId],
    );
  });

  it('commits nothing of a batch whose handler throws, and names the failing record', async () => {
    const bad = record();
    const { subscription } = consumer((event) =>
      event.eventId === bad.envelope.eventId ? new Error('cannot apply') : undefined,
    );
    const batch = [record(), bad, record()];
    const error = await subscription.handleBatch?.(batch).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof BatchRecordError);
    assert.equal(error.record, bad);
    assert.equal((error.cause as Error).message, 'cannot apply');
    assert.equal((await effects()).size, 0, 'no effect of any record');
    assert.equal(await claimed(), 0, 'no event id claimed');
  });

  it('does not copy the batch path into a wrapper spread over the consumer', () => {
    const { subscription } = consumer();
    const wrapped: Subscription = { ...subscription, handle: async (r) => subscription.handle(r) };
    assert.equal(typeof subscription.handleBatch, 'function');
    assert.equal(wrapped.handleBatch, undefined, 'every record still goes through the wrapper');
  });

  describe('through the in-process bus', () => {
    let bus: InProcessBus;
    let deadLetters: BusRecord[];

    beforeEach(async () => {
      bus = new InProcessBus(logger, fastRetry);
      deadLetters = [];
      await bus.subscribe({
        group: 'dlq',
        topics: [`${topic}.dlq`],
        handle: async (r) => void deadLetters.push(r),
      });
    });

    /** Subscribes `subscription` with its batch calls recorded (sizes, and whether they committed). */
    async function subscribeRecording(subscription: Subscription): Promise<string[]> {
      const batches: string[] = [];
      const handleBatch = subscription.handleBatch;
      assert.ok(handleBatch);
      await bus.subscribe({
        ...subscription,
        handleBatch: async (records) => {
          try {
            await handleBatch(records);
            batches.push(`${records.length} ok`);
          } catch (error) {
            batches.push(`${records.length} failed`);
            throw error;
          }
        },
      });
      return batches;
    }

    it('hands a publish call to the consumer as one batch: one transaction, one effect each', async () => {
      const { subscription } = consumer();
      const batches = await subscribeRecording(subscription);
      const records = Array.from({ length: 25 }, () => record());
      await bus.publish(records);
      await bus.publish(records.slice(0, 10)); // redelivered: deduped in the batch
      assert.deepEqual(batches, ['25 ok', '10 ok']);
      const counts = await effects();
      assert.equal(counts.size, 25);
      assert.ok([...counts.values()].every((n) => n === 1));
    });

    it('isolates a record whose handler throws: the others commit once, it is retried and dead-lettered', async () => {
      const bad = record();
      let badAttempts = 0;
      const { subscription } = consumer((event) => {
        if (event.eventId !== bad.envelope.eventId) return undefined;
        badAttempts++;
        return new Error('keeps failing');
      });
      const batches = await subscribeRecording(subscription);
      const before = [record(), record()];
      const afterBad = [record(), record(), record()];
      await bus.publish([...before, bad, ...afterBad]);
      // The batch failed on `bad`; the records before it went again as a batch, `bad` alone
      // (its batch counted as its first attempt), then the records after it as a batch.
      assert.deepEqual(batches, ['6 failed', '2 ok', '3 ok']);
      assert.equal(badAttempts, fastRetry.maxAttempts, 'attempts bounded as on the per-record path');
      const counts = await effects();
      for (const r of [...before, ...afterBad]) assert.equal(counts.get(r.envelope.eventId), 1);
      assert.equal(counts.get(bad.envelope.eventId), undefined, 'the failing record has no effect');
      assert.equal(deadLetters.length, 1);
      assert.equal(deadLetters[0]?.envelope.eventId, bad.envelope.eventId);
      assert.equal(deadLetters[0]?.headers.error, 'keeps failing');
      assert.equal(deadLetters[0]?.headers.attempts, String(fastRetry.maxAttempts));
      assert.equal(deadLetters[0]?.headers['consumer-group'], group);
    });

    it('dead-letters a PoisonMessageError from a batch at once, without another attempt', async () => {
      const poison = record();
      let poisonAttempts = 0;
      const { subscription } = consumer((event) => {
        if (event.eventId !== poison.envelope.eventId) return undefined;
        poisonAttempts++;
        return new PoisonMessageError('never applicable');
      });
      await subscribeRecording(subscription);
      const others = [record(), record()];
      await bus.publish([others[0] as BusRecord, poison, others[1] as BusRecord]);
      assert.equal(poisonAttempts, 1);
      assert.equal(deadLetters.length, 1);
      assert.equal(deadLetters[0]?.headers.attempts, '1');
      const counts = await effects();
      for (const r of others) assert.equal(counts.get(r.envelope.eventId), 1);
    });

    it('sends an invalid envelope to the dead letters alone; the valid records stay batched', async () => {
      const { subscription, calls } = consumer();
      const batches = await subscribeRecording(subscription);
      const invalid: BusRecord = {
        topic,
        key: 'k',
        envelope: { eventId: 'not-a-uuid', type: topic, payload: {} } as unknown as EventEnvelope,
        headers: {},
      };
      const before = [record(), record()];
      const afterInvalid = [record(), record()];
      await bus.publish([...before, invalid, ...afterInvalid]);
      assert.deepEqual(batches, ['5 failed', '2 ok', '2 ok'], 'validated before any transaction');
      assert.equal(calls.length, 4, 'the refused batch ran no handler: it was refused before its transaction');
      assert.equal(deadLetters.length, 1);
      assert.match(deadLetters[0]?.headers.error ?? '', /not an event envelope/);
      assert.equal(deadLetters[0]?.headers.attempts, '1');
      const counts = await effects();
      assert.equal(counts.size, 4);
      assert.ok([...counts.values()].every((n) => n === 1));
    });

    it('takes every record one by one when a batch fails without naming a record', async () => {
      const { subscription } = consumer();
      const handleBatch = subscription.handleBatch;
      assert.ok(handleBatch);
      let batchCalls = 0;
      await bus.subscribe({
        ...subscription,
        // A failure after the handlers ran (the commit, say): nothing committed, no record named.
        handleBatch: async (records) => {
          batchCalls++;
          await test.db.kysely.transaction().execute(async (trx) => {
            await sql`SELECT 1`.execute(trx);
            throw new Error('commit failed');
          });
          await handleBatch(records);
        },
      });
      const records = [record(), record(), record()];
      await bus.publish(records);
      assert.equal(batchCalls, 1);
      const counts = await effects();
      for (const r of records) assert.equal(counts.get(r.envelope.eventId), 1);
      assert.equal(deadLetters.length, 0);
    });

    describe('idempotentSetConsumer', () => {
      function setConsumer(failOn?: string): { subscription: Subscription; sets: string[][] } {
        const sets: string[][] = [];
        const subscription = idempotentSetConsumer(test.db, group, [topic], async (trx, events) => {
          sets.push(events.map((event) => event.eventId));
          // One statement for the whole set, as a projection would write it.
          const values = events.map((event) => sql`(${event.eventId}::uuid, ${group})`);
          await sql`INSERT INTO effects (event_id, consumer) VALUES ${sql.join(values)}`.execute(trx);
          if (failOn && events.some((event) => event.eventId === failOn)) throw new Error('set refused');
        });
        return { subscription, sets };
      }

      it('hands the new events of a batch to the handler as one set, each once, in record order', async () => {
        const { subscription, sets } = setConsumer();
        await bus.subscribe(subscription);
        const old = record();
        await bus.publish([old]);
        const fresh = Array.from({ length: 5 }, () => record());
        await bus.publish([old, fresh[0] as BusRecord, ...fresh, fresh[4] as BusRecord]);
        assert.deepEqual(sets, [[old.envelope.eventId], fresh.map((r) => r.envelope.eventId)]);
        const counts = await effects();
        assert.equal(counts.size, 6);
        assert.ok([...counts.values()].every((n) => n === 1));
        assert.equal(await claimed(), 6);
      });

      it('commits nothing of a failing set, then applies the good records alone and dead-letters the bad', async () => {
        const bad = record();
        const { subscription, sets } = setConsumer(bad.envelope.eventId);
        await bus.subscribe(subscription);
        const good = [record(), record()];
        await bus.publish([good[0] as BusRecord, bad, good[1] as BusRecord]);
        assert.deepEqual(sets[0]?.length, 3, 'first the whole batch as one set');
        const counts = await effects();
        for (const r of good) assert.equal(counts.get(r.envelope.eventId), 1);
        assert.equal(counts.get(bad.envelope.eventId), undefined);
        assert.equal(await claimed(), 2, 'the failing record is not marked processed');
        assert.equal(deadLetters.length, 1);
        assert.equal(deadLetters[0]?.envelope.eventId, bad.envelope.eventId);
      });
    });
  });
});
