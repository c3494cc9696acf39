/**
 * Every operation of every service, reached through the gateway, sent hostile input
 * (`sweepHostileInputs`) without a token, as a player and as an admin: nothing may answer 5xx, and
 * every refusal keeps the error contract (problem+json; RFC 6749's shape at the token endpoint).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type OpenApiDocument, sweepHostileInputs } from '@necp/platform/testing';
import { type E2eBackend, startE2eBackend } from './support/backend.ts';

describe('every service through the gateway under hostile input', () => {
  let e2e: E2eBackend;
  let gateway: string;

  before(async () => {
    e2e = await startE2eBackend({
      // Thousands of requests from one address and two accounts: the limits must not answer them all.
      RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000',
      RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
    });
    gateway = e2e.gateway;
  });
  after(() => e2e.stop());

  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${gateway}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const login = async (username: string, password: string) => {
    const answer = await post('/api/v1/auth/login', { login: username, password });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.access_token as string;
  };

  it('answers every malformed request with a 4xx in the error contract, never a 5xx', async () => {
    const username = `hostile_${randomUUID().slice(0, 6)}`;
    const password = `Neon-city-${randomUUID()}`;
    const registered = await post('/api/v1/auth/register', { email: `${username}@example.test`, username, password });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const player = await login(username, password);
    const admin = await login('admin', e2e.adminPassword);
    const created = await post(
      '/api/v1/characters',
      { name: `Hostile ${username.slice(-6)}`, origin: 'street_kid', class: 'solo' },
      player,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const characterId = created.body.characterId as string;

    let sent = 0;
    const failures: string[] = [];
    // Auth last: its sweep ends sessions (logout, revocations) that the others' tokens need.
    for (const service of ['character', 'economy', 'auth']) {
      const document = (await (await fetch(`${gateway}/docs/specs/${service}.json`)).json()) as OpenApiDocument;
      const result = await sweepHostileInputs({
        baseUrl: gateway,
        document,
        tokens: [undefined, player, admin],
        knownId: characterId,
        oauthOperations: ['POST /api/v1/auth/token', 'POST /api/v1/auth/revoke'],
      });
      sent += result.sent;
      failures.push(...result.failures);
    }
    assert.ok(sent > 3_000, `only ${sent} requests were sent: the documents list fewer operations than expected`);
    assert.deepEqual(failures, []);
  });
});
