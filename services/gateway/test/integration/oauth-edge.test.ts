/**
 * The gateway in front of auth-service's OAuth endpoints: revocation needs no bearer token, the
 * caller's address reaches auth-service as the gateway saw it (a client's own X-Forwarded-For is
 * replaced), and a rate-limited token request is refused in RFC 6749's shape as well as RFC 9457's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRuntime, defineService, type RunningService, type Runtime, startService } from '@necp/platform';
import { testConfig } from '@necp/platform/testing';
import { gatewayService } from '../../src/service.ts';
import { freePort } from '../support/free-port.ts';

/** A stand-in auth-service that shows whom the gateway said the caller was. */
const echoAuth = defineService({
  name: 'auth',
  description: 'echo',
  build: () => undefined,
  routes: [
    {
      prefix: '/api/v1/auth',
      routes(app) {
        for (const path of ['/token', '/revoke']) {
          app.post(path, { config: { access: 'public' } }, async (request) => ({
            forwardedFor: request.headers['x-forwarded-for'] ?? null,
          }));
        }
      },
    },
  ],
});

for (const transport of ['auto', 'http'] as const)
  describe(`the gateway in front of the OAuth endpoints (${transport})`, () => {
    let runtime: Runtime;
    let gateway: RunningService;
    let auth: RunningService;
    let base: string;

    before(async () => {
      const authPort = await freePort();
      runtime = await createRuntime(
        testConfig({
          AUTH_URL: `http://127.0.0.1:${authPort}`,
          GATEWAY_UPSTREAM_TRANSPORT: transport,
          REDIS_KEY_PREFIX: `gateway-oauth-test-${crypto.randomUUID()}:`,
          RATE_LIMIT_LOGIN_PER_MINUTE: '2',
          BODY_LIMIT_BYTES: '4096',
        }),
        'gateway-oauth-test',
      );
      auth = await startService(echoAuth, runtime, { host: '127.0.0.1', port: authPort });
      gateway = await startService(gatewayService, runtime, { host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${gateway.port}`;
    });
    after(async () => {
      await gateway.stop();
      await auth.stop();
      await runtime.close();
    });

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });

    it('passes revocation on without a bearer token, naming the caller as the gateway saw it', async () => {
      const response = await post(
        '/api/v1/auth/revoke',
        { token: 'a-refresh-token', client_id: 'necp-game' },
        { 'x-forwarded-for': '203.0.113.9' },
      );
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { forwardedFor: '127.0.0.1' });
    });

    it("answers the token endpoint's 429 with `error` beside the problem members", async () => {
      const grant = { grant_type: 'password', username: 'someone', password: 'Wrong-password-1' };
      assert.equal((await post('/api/v1/auth/token', grant)).status, 200);
      assert.equal((await post('/api/v1/auth/token', grant)).status, 200);
      const refused = await post('/api/v1/auth/token', grant);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      const body = (await refused.json()) as Record<string, unknown>;
      assert.equal(body.error, 'temporarily_unavailable');
      assert.equal(typeof body.error_description, 'string');
      assert.equal(body.code, 'RATE_LIMITED');
      assert.equal(body.status, 429);
    });

    it('answers a token request over the body limit with 413 and `error` beside the problem members', async () => {
      const grant = { grant_type: 'password', username: 'big-body', password: 'x'.repeat(5000) };
      const refused = await post('/api/v1/auth/token', grant);
      assert.equal(refused.status, 413);
      const body = (await refused.json()) as Record<string, unknown>;
      assert.equal(body.error, 'invalid_request');
      assert.equal(body.code, 'PAYLOAD_TOO_LARGE');
    });
  });
