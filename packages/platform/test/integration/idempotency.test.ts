import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../../src/logger.ts';
import { AppError } from '../../src/problem.ts';
import { storedIdempotentAnswer, withIdempotency } from '../../src/sql/idempotency.ts';
import { deleteExpiredIdempotencyKeys, sweepIdempotencyKeys } from '../../src/sql/idempotency-sweeper.ts';
import { adapterLabel, createTestDatabase, type TestDatabase } from '../../src/testing.ts';

describe(`idempotency keys on ${adapterLabel}`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    await sql`CREATE TABLE effects (id serial PRIMARY KEY, memo text)`.execute(test.db.kysely);
  });
  after(() => test.close());

  const effects = async () =>
    Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM effects`.execute(test.db.kysely)).rows[0]?.n);

  const transfer = (key: string, memo: string, scope = 'economy:acc-1:POST /transfers') =>
    withIdempotency(test.db, { scope, key, request: { memo, amount: 5 } }, async (trx) => {
      const row = await sql<{ id: number }>`INSERT INTO effects (memo) VALUES (${memo}) RETURNING id`.execute(trx);
      return { status: 201, body: { transferId: row.rows[0]?.id, memo } };
    });

  it('returns the first response to a repeat and changes nothing', async () => {
    const before = await effects();
    const key = randomUUID();
    const first = await transfer(key, 'rent');
    const again = await transfer(key, 'rent');
    assert.equal(first.replayed, false);
    assert.equal(again.replayed, true);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    assert.equal(await effects(), before + 1);
  });

  it('refuses the same key with another body with 422', async () => {
    const key = randomUUID();
    await transfer(key, 'rent');
    await assert.rejects(
      transfer(key, 'groceries'),
      (error: unknown) => error instanceof AppError && error.code === 'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('reads a stored answer without claiming: none for a new key, the first answer after, 422 for another body', async () => {
    const key = randomUUID();
    const scope = 'economy:acc-1:POST /transfers';
    const ask = (memo: string) => storedIdempotentAnswer(test.db, { scope, key, request: { memo, amount: 5 } });
    assert.equal(await ask('rent'), undefined);
    const first = await transfer(key, 'rent');
    assert.equal(first.replayed, false, 'asking first did not take the key');
    assert.deepEqual(await ask('rent'), { status: 201, body: first.body, replayed: true });
    await assert.rejects(
      ask('groceries'),
      (error: unknown) => error instanceof AppError && error.code === 'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('keeps keys of different scopes apart', async () => {
    const key = randomUUID();
    const a = await transfer(key, 'rent', 'economy:acc-1:POST /transfers');
    const b = await transfer(key, 'rent', 'economy:acc-2:POST /transfers');
    assert.equal(b.replayed, false);
    assert.notDeepEqual(a.body, b.body);
  });

  it('does not store a failed attempt, so a retry runs', async () => {
    const key = randomUUID();
    await assert.rejects(
      withIdempotency(test.db, { scope: 's', key, request: {} }, async (trx) => {
        await sql`INSERT INTO effects (memo) VALUES ('lost')`.execute(trx);
        throw new AppError('INSUFFICIENT_FUNDS', 'no money');
      }),
    );
    const lost = await sql<{ n: number }>`SELECT count(*)::int AS n FROM effects WHERE memo = 'lost'`.execute(
      test.db.kysely,
    );
    assert.equal(lost.rows[0]?.n, 0, 'the effect rolled back with the claim');
    const retry = await withIdempotency(test.db, { scope: 's', key, request: {} }, async () => ({
      status: 200,
      body: 'ok',
    }));
    assert.equal(retry.replayed, false);
  });

  it('runs the work once for concurrent requests with one key', async () => {
    const before = await effects();
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 12 }, () => transfer(key, 'race')));
    assert.equal(await effects(), before + 1);
    assert.equal(results.filter((result) => !result.replayed).length, 1);
    for (const result of results) assert.deepEqual(result.body, results[0]?.body);
  });

  it('lets an expired key be used again, for any body', async () => {
    const key = randomUUID();
    const once = (memo: string) =>
      withIdempotency(test.db, { scope: 'short-lived', key, request: { memo } }, async () => ({
        status: 201,
        body: { memo },
      }));
    await once('first');
    assert.equal((await once('first')).replayed, true, 'live: the stored answer');
    // The key's life runs out by its stored time, not by a sleep racing a short life on busy cores.
    await sql`UPDATE mvp_meta.idempotency_keys SET expires_at = now() - interval '1 second'
      WHERE scope = 'short-lived' AND key = ${key}`.execute(test.db.kysely);
    const again = await once('second');
    assert.equal(again.replayed, false, 'expired: the key is claimed anew');
    assert.deepEqual(again.body, { memo: 'second' });
    assert.equal((await once('second')).replayed, true);
  });

  it('sweeps expired keys and keeps live ones, by call and as a running job', async () => {
    const live = randomUUID();
    await transfer(live, 'live');
    const expired = Array.from({ length: 3 }, () => randomUUID());
    for (const key of expired) await transfer(key, 'old');
    const keys = async () =>
      new Set(
        (
          await sql<{
            key: string;
          }>`SELECT key FROM mvp_meta.idempotency_keys WHERE key = ANY(${[live, ...expired]})`.execute(test.db.kysely)
        ).rows.map((row) => row.key),
      );
    const expire = (key: string) =>
      sql`UPDATE mvp_meta.idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = ${key}`.execute(
        test.db.kysely,
      );
    await expire(expired[0] as string);
    assert.ok((await deleteExpiredIdempotencyKeys(test.db)) >= 1);
    assert.deepEqual(await keys(), new Set([live, expired[1], expired[2]]));

    for (const key of expired.slice(1)) await expire(key);
    const stop = sweepIdempotencyKeys(test.db, createLogger('test', 'silent'), 20);
    try {
      const deadline = Date.now() + 5_000;
      while ((await keys()).size > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(await keys(), new Set([live]));
    } finally {
      await stop();
    }
  });

  it('refuses keys outside 1 to 128 characters', async () => {
    await assert.rejects(transfer('', 'x'), (error: unknown) => error instanceof AppError && error.status === 400);
    await assert.rejects(transfer('k'.repeat(129), 'x'), (error: unknown) => error instanceof AppError);
  });
});
