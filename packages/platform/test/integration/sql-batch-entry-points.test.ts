import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { adapterLabel, createTestDatabase, type TestDatabase } from '../../src/testing.ts';

describe(`the platform's batch SQL entry points on ${adapterLabel}`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
  });
  after(() => test.close());

  const claim = async (keys: string[], expiresAt = new Date(Date.now() + 60_000)) => {
    const { rows } = await sql<{ key: string }>`
      SELECT key FROM mvp_meta.claim_idempotency_keys(
        ${keys.map(() => 'batch-scope')}::text[], ${keys}::text[], ${keys.map((key) => `hash-${key}`)}::text[],
        ${keys.map(() => expiresAt)}::timestamptz[], ${keys.map(() => 201)}::int[],
        ${keys.map((key) => JSON.stringify({ answer: key }))}::jsonb[])`.execute(test.db.kysely);
    return rows.map((row) => row.key).sort();
  };
  const stored = async (key: string) => {
    const { rows } = await sql<{ status: number; body: unknown; request_hash: string }>`
      SELECT status, body, request_hash FROM mvp_meta.idempotency_keys WHERE scope = 'batch-scope' AND key = ${key}`.execute(
      test.db.kysely,
    );
    return rows[0];
  };

  it('claims only the keys that are new or expired, each stored with its answer', async () => {
    const [fresh, live, expired] = [randomUUID(), randomUUID(), randomUUID()];
    assert.deepEqual(await claim([live]), [live]);
    assert.deepEqual(await claim([expired], new Date(Date.now() - 1_000)), [expired]);
    assert.deepEqual(await claim([fresh, live, expired]), [fresh, expired].sort());
    assert.deepEqual(await stored(fresh), { status: 201, body: { answer: fresh }, request_hash: `hash-${fresh}` });
  });

  it('gives keys back, so their requests may run again', async () => {
    const [given, kept] = [randomUUID(), randomUUID()];
    await claim([given, kept]);
    await sql`SELECT mvp_meta.release_idempotency_keys(${['batch-scope']}::text[], ${[given]}::text[])`.execute(
      test.db.kysely,
    );
    assert.equal(await stored(given), undefined);
    assert.ok(await stored(kept));
    assert.deepEqual(await claim([given, kept]), [given]);
  });

  it('writes outbox rows in their order, as write_outbox writes one', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await sql`SELECT mvp_meta.write_outbox_rows(
      ${ids}::uuid[], ${ids.map(() => 'world.scenarios')}::text[], ${ids.map((_, index) => `key-${index}`)}::text[],
      ${ids.map((id) => JSON.stringify({ eventId: id }))}::jsonb[], ${ids.map(() => 'batch-test')}::text[],
      ${ids.map(() => null)}::text[])`.execute(test.db.kysely);
    const { rows } = await sql<{
      id: string;
      aggregatetype: string;
      aggregateid: string;
      type: string;
      payload: unknown;
    }>`
      SELECT id, aggregatetype, aggregateid, type, payload FROM mvp_meta.outbox
      WHERE producer = 'batch-test' ORDER BY seq`.execute(test.db.kysely);
    assert.deepEqual(
      rows,
      ids.map((id, index) => ({
        id,
        aggregatetype: 'world.scenarios',
        aggregateid: `key-${index}`,
        type: 'world.scenarios',
        payload: { eventId: id },
      })),
    );
  });
});
