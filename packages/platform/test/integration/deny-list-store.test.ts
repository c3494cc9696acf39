import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { createDenyList, type Denial, type DenyList, deleteExpiredDenials } from '../../src/auth/deny-list.ts';
import type { Cache } from '../../src/cache/cache.ts';
import type { PlatformTables } from '../../src/sql/platform-tables.ts';
import { adapterLabel, createTestCache, createTestDatabase, type TestDatabase } from '../../src/testing.ts';

const entryTtlMs = 60_000;
const skewMs = 0;

/**
 * The deny-list kept in the database and only cached: what auth-service records in its transactions
 * is refused again by a process on an empty cache (a restart on memory, a Redis that lost its data).
 */
describe(`deny-list kept in the database (${adapterLabel})`, () => {
  let test: TestDatabase;
  const caches: Cache[] = [];
  let loads = 0;
  const database = async (): Promise<Kysely<PlatformTables>> => {
    loads += 1;
    return test.db.kysely;
  };
  /** A verifier's deny-list in a process of its own: a fresh cache unless one is given. */
  const verifierList = (cache: Cache = fresh(), options: { now?: () => number; refreshMs?: number } = {}) =>
    createDenyList(cache, { entryTtlMs, skewMs, database, ...options });
  const fresh = () => {
    const cache = createTestCache();
    caches.push(cache);
    return cache;
  };
  /** auth-service's side: records in a transaction, publishes to its cache after the commit. */
  const deny = async (list: DenyList, denials: Denial[]) => {
    await test.db.kysely.transaction().execute((trx) => list.record(trx, denials));
    await list.publish(denials);
  };

  before(async () => {
    test = await createTestDatabase();
  });
  after(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    await test.close();
  });

  it('refuses ended sessions and pre-ban tokens again from an empty cache, after one shared load', async () => {
    const issuer = verifierList();
    const session = randomUUID();
    const banned = randomUUID();
    const before = new Date(Date.now() - 5_000);
    await deny(issuer, [
      { kind: 'session', sessionId: session, at: new Date() },
      { kind: 'ban', accountId: banned, at: new Date() },
    ]);
    assert.equal(await issuer.check({ accountId: randomUUID(), sessionId: session }), 'revoked');
    assert.equal(await issuer.check({ accountId: banned, sessionId: undefined, issuedAt: before }), 'banned');

    loads = 0;
    const restarted = verifierList();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        index % 2 === 0
          ? restarted.check({ accountId: randomUUID(), sessionId: session })
          : restarted.check({ accountId: banned, sessionId: undefined, issuedAt: before }),
      ),
    );
    assert.deepEqual(
      new Set(answers),
      new Set(['revoked']),
      'the ban itself was in the lost cache: its tokens are revoked',
    );
    assert.equal(loads, 1, 'twenty concurrent checks on an empty cache share one load');
    assert.equal(
      await restarted.check({ accountId: banned, sessionId: undefined, issuedAt: new Date(Date.now() + 2_000) }),
      undefined,
      'a token issued after the ban (after its end or an unban) is accepted',
    );
    assert.equal(await restarted.check({ accountId: randomUUID(), sessionId: randomUUID() }), undefined);
    assert.equal(loads, 1, 'checks after the load stay in the cache');
  });

  it('reloads when the cache lost everything while the process kept running', async () => {
    const cache = fresh();
    const list = verifierList(cache);
    const session = randomUUID();
    await deny(list, [{ kind: 'session', sessionId: session, at: new Date() }]);
    assert.equal(await list.check({ accountId: 'a', sessionId: session }), 'revoked');
    // What FLUSHALL or a Redis restart without persistence leaves: none of the keys.
    for (const key of ['auth:deny:loaded', `auth:deny:session:${session}`]) await cache.delete(key);
    assert.equal(await cache.get(`auth:deny:session:${session}`), null);
    assert.equal(await list.check({ accountId: 'a', sessionId: session }), 'revoked');
    assert.equal(await cache.get(`auth:deny:session:${session}`), '1', 'the entry is back in the cache');
  });

  it('writes nothing when the transaction rolls back', async () => {
    const list = verifierList();
    const session = randomUUID();
    await assert.rejects(
      test.db.kysely.transaction().execute(async (trx) => {
        await list.record(trx, [{ kind: 'session', sessionId: session, at: new Date() }]);
        throw new Error('the session change failed');
      }),
      /the session change failed/,
    );
    assert.equal(await verifierList().check({ accountId: 'a', sessionId: session }), undefined);
  });

  it('picks up denials another process recorded once its load is older than the refresh interval', async () => {
    let clock = Date.now();
    const list = verifierList(fresh(), { now: () => clock, refreshMs: 30_000 });
    const session = randomUUID();
    assert.equal(await list.check({ accountId: 'a', sessionId: session }), undefined);
    // Another process (its cache its own memory) ends the session: only the database knows.
    await test.db.kysely
      .transaction()
      .execute((trx) => verifierList().record(trx, [{ kind: 'session', sessionId: session, at: new Date() }]));
    assert.equal(await list.check({ accountId: 'a', sessionId: session }), undefined, 'the last load is fresh');
    clock += 30_000;
    loads = 0;
    // The stale check answers from the cache and starts the load; the next one sees its result.
    await list.check({ accountId: 'a', sessionId: session });
    await list.reload();
    assert.equal(await list.check({ accountId: 'a', sessionId: session }), 'revoked');
    assert.ok(loads >= 1);
  });

  it('answers from the cache alone in a process without a database, setting no marker for others', async () => {
    const cache = fresh();
    const list = createDenyList(cache, { entryTtlMs, skewMs, database: async () => undefined });
    assert.equal(await list.check({ accountId: 'a', sessionId: 's' }), undefined);
    assert.equal(await cache.get('auth:deny:loaded'), null);
    assert.equal(await list.reload(), false);
  });

  it('keeps a row only as long as a token it refuses can live, and sweeps it after', async () => {
    const list = verifierList();
    const old = randomUUID();
    const at = new Date(Date.now() - entryTtlMs - 1_000);
    await test.db.kysely.transaction().execute((trx) => list.record(trx, [{ kind: 'session', sessionId: old, at }]));
    assert.equal(
      await verifierList().check({ accountId: 'a', sessionId: old }),
      undefined,
      'expired rows are not loaded',
    );
    assert.ok((await deleteExpiredDenials(test.db.kysely, new Date())) >= 1);
    const left = await sql`SELECT id FROM mvp_meta.denied_identities WHERE id = ${old}`.execute(test.db.kysely);
    assert.equal(left.rows.length, 0);
  });
});
