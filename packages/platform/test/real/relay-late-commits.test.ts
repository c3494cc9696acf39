import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { EventEnvelope } from '@necp/contracts';
import { Registry } from 'prom-client';
import type { BusRecord } from '../../src/events/bus.ts';
import { InProcessBus } from '../../src/events/in-process-bus.ts';
import { writeEvent } from '../../src/events/outbox.ts';
import { OutboxRelay } from '../../src/events/outbox-relay.ts';
import { createLogger } from '../../src/logger.ts';
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

  /** A transaction that writes an event of `key` and stays open until `commit`. */
  async function openTransaction(key: string) {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let written: (envelope: EventEnvelope) => void = () => undefined;
    const firstWritten = new Promise<EventEnvelope>((resolve) => {
      written = resolve;
    });
    const done = test.db.kysely.transaction().execute(async (trx) => {
      written(await writeEvent(trx, 'auth', revoked(key)));
      await released;
    });
    return {
      envelope: await firstWritten,
      commit: async () => {
        release();
        await done;
      },
    };
  }

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
    const late = await openTransaction(key);
    await manyLaterRowsSent(relay);
    await late.commit();
    const next = await test.db.kysely.transaction().execute((trx) => writeEvent(trx, 'auth', revoked(key)));
    await relay.drain();
    assert.deepEqual(
      delivered.filter((record) => record.key === key).map((record) => record.envelope.eventId),
      [late.envelope.eventId, next.eventId],
      'both rows sent, the one numbered first first',
    );
  });
});
