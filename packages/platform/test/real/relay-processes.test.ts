import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { writeEvent } from '../../src/events/outbox.ts';
import { createTestDatabase, type TestDatabase } from '../../src/testing.ts';

const worker = new URL('./fixtures/relay-worker.ts', import.meta.url).pathname;

function runWorker(
  url: string,
  env: Record<string, string>,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker], {
      env: { ...process.env, DATABASE_URL: url, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout }));
  });
}

describe('relays and consumers in separate processes on real PostgreSQL', () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    assert.ok(test.url, 'these tests need DATABASE_URL');
    await sql`CREATE TABLE writer_done (done boolean)`.execute(test.db.kysely);
    await sql`CREATE TABLE effects (event_id uuid NOT NULL)`.execute(test.db.kysely);
  });
  after(() => test.close());

  it('two relay processes on one outbox publish every row exactly once', async () => {
    const url = test.url as string;
    const relays = [runWorker(url, { WORKER_MODE: 'record' }), runWorker(url, { WORKER_MODE: 'record' })];
    const written: string[] = [];
    // Events arrive while both relays run, on many keys, in transactions of a few rows each.
    for (let batch = 0; batch < 100; batch++) {
      const envelopes = await test.db.kysely.transaction().execute(async (trx) => {
        const ids: string[] = [];
        for (let i = 0; i < 10; i++) {
          const accountId = randomUUID();
          const envelope = await writeEvent(trx, 'auth', {
            topic: 'auth.session.revoked',
            key: `account-${(batch * 10 + i) % 37}`,
            payload: { accountId, sessionId: randomUUID() },
          });
          ids.push(envelope.eventId);
        }
        return ids;
      });
      written.push(...envelopes);
      await sleep(10);
    }
    await sql`INSERT INTO writer_done VALUES (true)`.execute(test.db.kysely);
    const [first, second] = await Promise.all(relays);
    assert.equal(first?.code, 0);
    assert.equal(second?.code, 0);
    const publishedByFirst: string[] = JSON.parse(first?.stdout ?? '[]');
    const publishedBySecond: string[] = JSON.parse(second?.stdout ?? '[]');
    const all = [...publishedByFirst, ...publishedBySecond];
    assert.equal(new Set(all).size, all.length, 'no row was published twice');
    assert.deepEqual([...all].sort(), [...written].sort(), 'every row was published');
    assert.ok(publishedByFirst.length > 0 && publishedBySecond.length > 0, 'both relays took a share of the work');
  });

  it('a consumer killed between its effect and the acknowledgement repeats nothing on redelivery', async () => {
    const url = test.url as string;
    const envelope = await test.db.kysely.transaction().execute((trx) =>
      writeEvent(trx, 'auth', {
        topic: 'auth.session.revoked',
        key: randomUUID(),
        payload: { accountId: randomUUID(), sessionId: randomUUID() },
      }),
    );
    const crashed = await runWorker(url, { WORKER_MODE: 'consume', CRASH_AFTER_EFFECT: '1' });
    assert.equal(crashed.signal, 'SIGKILL');
    const unacknowledged = await sql<{ sent: boolean }>`
      SELECT sent_at IS NOT NULL AS sent FROM mvp_meta.outbox WHERE id = ${envelope.eventId}`.execute(test.db.kysely);
    assert.equal(unacknowledged.rows[0]?.sent, false, 'the row was never acknowledged');

    const recovered = await runWorker(url, { WORKER_MODE: 'consume' });
    assert.equal(recovered.code, 0);
    const effects = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM effects WHERE event_id = ${envelope.eventId}`.execute(test.db.kysely);
    assert.equal(effects.rows[0]?.n, 1, 'the effect happened once');
    const sent = await sql<{ sent: boolean }>`
      SELECT sent_at IS NOT NULL AS sent FROM mvp_meta.outbox WHERE id = ${envelope.eventId}`.execute(test.db.kysely);
    assert.equal(sent.rows[0]?.sent, true, 'the redelivery was acknowledged');
  });
});
