import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql, type Transaction } from 'kysely';
import { Registry } from 'prom-client';
import type { BusRecord } from '../../src/events/bus.ts';
import { InProcessBus } from '../../src/events/in-process-bus.ts';
import { writeEvent } from '../../src/events/outbox.ts';
import { OutboxRelay } from '../../src/events/outbox-relay.ts';
import { createLogger } from '../../src/logger.ts';
import type { PlatformTables } from '../../src/sql/platform-tables.ts';
import { createTestDatabase, type TestDatabase } from '../../src/testing.ts';

const logger = createLogger('test', 'silent');

function revoked(key: string) {
  return { topic: 'auth.session.revoked' as const, key, payload: { accountId: randomUUID(), sessionId: randomUUID() } };
}

/**
 * A transaction that takes its outbox number and commits only after many later rows were sent:
 * only a server with concurrent connections can hold one open while others commit.
 */
describe('the relay and transactions that commit late, on real PostgreSQL', () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    assert.ok(test.url, 'these tests need DATABASE_URL');
  });
  after(() => test.close());

  async function relayRecording(): Promise<{ relay: OutboxRelay; delivered: BusRecord[] }> {
    const bus = new InProcessBus(logger, { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 5 });
    const delivered: BusRecord[] = [];
    await bus.subscribe({
      group: 'observer',
      topics: ['auth.session.revoked'],
      handle: async (r) => void delivered.push(r),
    });
    return { relay: new OutboxRelay({ db: test.db, bus, logger, metrics: new Registry() }), delivered };
  }

  /** A transaction held open on a connection of its own: `step` runs work in it, `commit` ends it. */
  function heldTransaction() {
    const steps: {
      work: (trx: Transaction<PlatformTables>) => Promise<unknown>;
      settle: (outcome: unknown) => void;
    }[] = [];
    let wake: () => void = () => undefined;
    let committing = false;
    const finished = test.db.kysely.transaction().execute(async (trx) => {
      for (;;) {
        const next = steps.shift();
        if (next) next.settle(await next.work(trx));
        else if (committing) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    });
    return {
      step<T>(work: (trx: Transaction<PlatformTables>) => Promise<T>): Promise<T> {
        return new Promise<T>((resolve) => {
          steps.push({ work, settle: (outcome) => resolve(outcome as T) });
          wake();
        });
      },
      async commit(): Promise<void> {
        committing = true;
        wake();
        await finished;
      },
    };
  }

  const sentOf = (delivered: BusRecord[], key: string) =>
    delivered.filter((record) => record.key === key).map((record) => record.envelope.eventId);

  /** Many committed rows on other keys, sent: the relay's scans move on past the open transaction's row. */
  async function manyLaterRowsSent(relay: OutboxRelay): Promise<void> {
    for (let batch = 0; batch < 12; batch++) {
      await test.db.kysely.transaction().execute(async (trx) => {
        for (let i = 0; i < 100; i++) await writeEvent(trx, 'auth', revoked(randomUUID()));
      });
      await relay.drain();
    }
  }

  it('sends a row committed late before the later rows of its key, without waiting for a periodic scan', async () => {
    const { relay, delivered } = await relayRecording();
    const key = randomUUID();
    const late = heldTransaction();
    const first = await late.step((trx) => writeEvent(trx, 'auth', revoked(key)));
    await manyLaterRowsSent(relay);
    await late.commit();
    const next = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked(key)));
    await relay.drain();
    assert.deepEqual(sentOf(delivered, key), [first.eventId, next.eventId], 'both sent, the one numbered first first');
  });

  it('sends a row numbered before a committed one by a transaction that took its id after it', async () => {
    const { relay, delivered } = await relayRecording();
    const key = randomUUID();
    // Ids in one order, outbox numbers in the other: the newer transaction's row has the lower number
    // and is still open when the older one commits and is sent.
    const older = heldTransaction();
    const newer = heldTransaction();
    await older.step((trx) => sql`SELECT pg_current_xact_id()`.execute(trx));
    await newer.step((trx) => sql`SELECT pg_current_xact_id()`.execute(trx));
    const early = await newer.step((trx) => writeEvent(trx, 'auth', revoked(key)));
    await older.step((trx) => writeEvent(trx, 'auth', revoked(randomUUID())));
    await older.commit();
    await relay.drain();
    await relay.drain();
    await newer.commit();
    const next = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked(key)));
    await relay.drain();
    assert.deepEqual(sentOf(delivered, key), [early.eventId, next.eventId]);
  });
});
