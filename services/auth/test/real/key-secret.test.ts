import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFreshDatabase, type FreshDatabase } from '@necp/platform/testing';
import { type AuthUnderTest, startAuth } from '../harness.ts';

describe('replicas of auth-service on one PostgreSQL database', () => {
  let database: FreshDatabase;
  const replicas: AuthUnderTest[] = [];
  before(async () => {
    database = await createFreshDatabase();
    assert.ok(database.url, 'this test needs DATABASE_URL');
  });
  after(async () => {
    for (const replica of replicas) await replica.close();
    await database.drop();
  });

  it('a replica whose key secret differs reports unready, naming the variable, instead of failing logins', async () => {
    const shared = { DATABASE_URL: database.url as string };
    const first = await startAuth({ ...shared, AUTH_KEY_ENCRYPTION_SECRET: 'first-secret-0123456789abcdef0123456789' });
    replicas.push(first);
    const twin = await startAuth({ ...shared, AUTH_KEY_ENCRYPTION_SECRET: 'first-secret-0123456789abcdef0123456789' });
    replicas.push(twin);
    const stranger = await startAuth({
      ...shared,
      AUTH_KEY_ENCRYPTION_SECRET: 'other-secret-0123456789abcdef01234567',
    });
    replicas.push(stranger);

    assert.equal((await fetch(`${first.url}/ready`)).status, 200);
    assert.equal((await fetch(`${twin.url}/ready`)).status, 200, 'the same secret opens the same keys');
    const unready = await fetch(`${stranger.url}/ready`);
    assert.equal(unready.status, 503);
    const body = (await unready.json()) as { checks: Record<string, string> };
    assert.match(body.checks['signing-keys'] ?? '', /AUTH_KEY_ENCRYPTION_SECRET/);
  });
});
