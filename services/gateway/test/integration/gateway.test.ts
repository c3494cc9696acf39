import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  authenticatorFor,
  createEdgeVouch,
  createRuntime,
  defineService,
  EdgeVouchHeader,
  type RunningService,
  type Runtime,
  startService,
} from '@necp/platform';
import { startTestIssuer, type TestIssuer, testConfig } from '@necp/platform/testing';
import { Type } from 'typebox';
import { gatewayService } from '../../src/service.ts';
import { freePort } from '../support/free-port.ts';

/** A stand-in economy service that shows what the gateway forwarded. */
const echoEconomy = defineService({
  name: 'economy',
  description: 'echo',
  build: () => undefined,
  routes: [
    {
      prefix: '/api/v1/economy',
      routes(app) {
        app.get('/whoami', async (request) => ({ accountId: request.auth?.accountId }));
        app.get('/vouch', async (request) => ({ vouch: request.headers[EdgeVouchHeader] ?? null }));
        const open = { config: { access: 'public' as const } };
        app.post(
          '/echo',
          { ...open, schema: { body: Type.Object({ amount: Type.Integer() }, { additionalProperties: false }) } },
          async (request) => ({
            body: request.body,
            requestId: request.headers['x-request-id'],
            traceparent: request.headers.traceparent,
            query: request.query,
          }),
        );
        app.post('/crafting/jobs', open, async (request) => ({ received: request.body }));
        app.post('/notes', open, async (request) => ({ received: request.body }));
        app.get('/slow', open, async () => {
          await new Promise((resolve) => setTimeout(resolve, 1500));
          return { late: true };
        });
      },
    },
  ],
});

const vouchKey = 'k'.repeat(16) + crypto.randomUUID();

// `auto` hands requests to the stand-in economy, which runs in the gateway's process; `http` forwards them over HTTP.
// Without CORS_ORIGINS, the proxied requests over HTTP are taken by the gateway's front door
// (routes/proxied-front-door.ts) rather than by Fastify's edge: every behaviour below holds for both.
// The front door forwards over the channel to the service (GATEWAY_SERVICE_CHANNEL, on by default), or over HTTP.
for (const [transport, cors, channel] of [
  ['auto', true, 'on'],
  ['http', true, 'on'],
  ['http', false, 'on'],
  ['http', false, 'off'],
] as const)
  describe(`the gateway in front of the services (${transport}${cors ? '' : `, no CORS: the front door, channel ${channel}`})`, () => {
    let runtime: Runtime;
    let gateway: RunningService;
    let economy: RunningService;
    let base: string;
    let issuer: TestIssuer;
    let bearer: Record<string, string>;

    before(async () => {
      issuer = await startTestIssuer();
      bearer = { authorization: `Bearer ${await issuer.token()}` };
      const economyPort = await freePort();
      const deadPort = await freePort();
      const config = testConfig({
        ECONOMY_URL: `http://127.0.0.1:${economyPort}`,
        WORLD_URL: `http://127.0.0.1:${deadPort}`,
        AUTH_URL: `http://127.0.0.1:${deadPort}`,
        UPSTREAM_TIMEOUT_MS: '400',
        GATEWAY_UPSTREAM_TRANSPORT: transport,
        GATEWAY_SERVICE_CHANNEL: channel,
        // Rate-limit counts of their own in a shared Redis: each run starts from zero.
        REDIS_KEY_PREFIX: `gateway-test-${crypto.randomUUID()}:`,
        OIDC_ISSUER: issuer.issuer,
        RATE_LIMIT_LOGIN_PER_MINUTE: '3',
        RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000',
        ...(cors ? { CORS_ORIGINS: 'https://play.necp.example' } : {}),
        EDGE_VOUCH_KEY: vouchKey,
      });
      runtime = await createRuntime(config, 'gateway-test');
      economy = await startService(echoEconomy, runtime, { host: '127.0.0.1', port: economyPort });
      gateway = await startService(gatewayService, runtime, { host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${gateway.port}`;
    });
    after(async () => {
      await gateway.stop();
      await economy.stop();
      await runtime.close();
      await issuer.close();
    });

    if (transport === 'http' && !cors) {
      it(`forwards the front door's requests ${channel === 'on' ? 'over the channel, not as HTTP requests' : 'as HTTP requests'}`, async () => {
        let httpRequests = 0;
        const count = () => {
          httpRequests += 1;
        };
        economy.http.app.server.on('request', count);
        try {
          // The first request finds the channel not connected yet (it goes over HTTP and starts connecting).
          await fetch(`${base}/api/v1/economy/whoami`, { headers: bearer });
          const deadline = Date.now() + 5_000;
          let ownAnswers = 0;
          while (ownAnswers < 10 && Date.now() < deadline) {
            httpRequests = 0;
            const answers = await Promise.all(
              Array.from({ length: 10 }, () => fetch(`${base}/api/v1/economy/whoami`, { headers: bearer })),
            );
            for (const answer of answers) assert.equal(answer.status, 200);
            ownAnswers = 10 - httpRequests;
            if (channel === 'off') break;
          }
          assert.equal(httpRequests, channel === 'on' ? 0 : 10);
        } finally {
          economy.http.app.server.removeListener('request', count);
        }
      });
    }

    it('forwards by prefix with body, query, request id and trace context', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const response = await fetch(`${base}/api/v1/economy/echo?x=1`, {
        method: 'POST',
        body: JSON.stringify({ amount: 5 }),
        headers: {
          ...bearer,
          'content-type': 'application/json',
          'x-request-id': 'client-req-1',
          traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        },
      });
      assert.equal(response.status, 200);
      const echoed = (await response.json()) as {
        body: unknown;
        requestId: string;
        traceparent: string;
        query: unknown;
      };
      assert.deepEqual(echoed.body, { amount: 5 });
      assert.deepEqual(echoed.query, { x: '1' });
      assert.equal(echoed.requestId, 'client-req-1');
      assert.match(echoed.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      assert.doesNotMatch(echoed.traceparent, /00f067aa0ba902b7/, 'the gateway adds its own span');
    });

    it('answers a forwarded request with its RateLimit headers, request id and trace context, and counts it in the metrics', async () => {
      const traceId = '5bf92f3577b34da6a3ce929d0e0e4737';
      const token = await issuer.token({ accountId: crypto.randomUUID() });
      const send = () =>
        fetch(`${base}/api/v1/economy/echo`, {
          method: 'POST',
          body: JSON.stringify({ amount: 2 }),
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'x-request-id': 'client-req-2',
            traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
          },
        });
      const first = await send();
      const second = await send();
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-request-id'), 'client-req-2');
      assert.match(first.headers.get('traceparent') ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      assert.equal(first.headers.get('ratelimit-limit'), '1000');
      assert.equal(first.headers.get('ratelimit-remaining'), '999', 'the first request of its account');
      assert.equal(second.headers.get('ratelimit-remaining'), '998', 'each request counted once');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(
        metrics,
        /http_requests_total\{[^}]*method="POST",route="\/api\/v1\/economy\/\*",status="200"[^}]*\} \d+/,
      );
    });

    it("tells the service the caller's identity", async () => {
      const accountId = crypto.randomUUID();
      const response = await fetch(`${base}/api/v1/economy/whoami`, {
        headers: { authorization: `Bearer ${await issuer.token({ accountId })}` },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { accountId });
    });

    it('forwards a body that a rate rule had to read, byte for byte', async () => {
      const body = { characterId: crypto.randomUUID(), blueprintId: 'smart_scope_mk1', quantity: 2 };
      const response = await fetch(`${base}/api/v1/economy/crafting/jobs`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { ...bearer, 'content-type': 'application/json' },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(((await response.json()) as { received: unknown }).received, body);
      assert.equal(response.headers.get('ratelimit-limit'), '60', 'the per-character crafting rule counted it');
    });

    it('hands on a body of another media type, or of none, for the service to read or refuse', async () => {
      const text = await fetch(`${base}/api/v1/economy/notes`, {
        method: 'POST',
        body: 'meet at the Afterlife, 22:00 ✓',
        headers: { ...bearer, 'content-type': 'text/plain; charset=utf-8' },
      });
      assert.equal(text.status, 200);
      assert.deepEqual(await text.json(), { received: 'meet at the Afterlife, 22:00 ✓' });
      const untyped = await fetch(`${base}/api/v1/economy/echo`, {
        method: 'POST',
        body: new TextEncoder().encode('{"amount":5}'),
        headers: bearer,
      });
      assert.equal(untyped.status, 415, await untyped.clone().text());
      assert.match(untyped.headers.get('content-type') ?? '', /^application\/problem\+json/);
    });

    it("passes the service's own problems through", async () => {
      const response = await fetch(`${base}/api/v1/economy/echo`, {
        method: 'POST',
        body: JSON.stringify({ amount: 'many' }),
        headers: { ...bearer, 'content-type': 'application/json' },
      });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { code: string }).code, 'VALIDATION_ERROR');
    });

    it('answers 503 with a problem when a service is down', async () => {
      const response = await fetch(`${base}/api/v1/world/districts`); // public: no token needed
      assert.equal(response.status, 503);
      assert.match(response.headers.get('content-type') ?? '', /problem\+json/);
      const body = (await response.json()) as { code: string; service: string };
      assert.equal(body.code, 'UPSTREAM_UNAVAILABLE');
      assert.equal(body.service, 'world');
    });

    it('answers 504 within its timeout when a service is slow', async () => {
      const started = performance.now();
      const response = await fetch(`${base}/api/v1/economy/slow`, { headers: bearer });
      assert.equal(response.status, 504);
      assert.equal(((await response.json()) as { code: string }).code, 'UPSTREAM_TIMEOUT');
      assert.ok(performance.now() - started < 1400, 'it did not wait for the slow answer');
    });

    it('aggregates readiness of every service', async () => {
      const response = await fetch(`${base}/api/v1/health`);
      assert.equal(response.status, 503);
      const body = (await response.json()) as { status: string; services: Record<string, { status: string }> };
      assert.equal(body.status, 'degraded');
      assert.equal(body.services.economy?.status, 'ready');
      assert.equal(body.services.world?.status, 'unreachable');
    });

    it("serves Swagger UI and each service's OpenAPI document", async () => {
      const ui = await fetch(`${base}/docs/`);
      assert.equal(ui.status, 200);
      const spec = (await (await fetch(`${base}/docs/specs/economy.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      assert.ok(spec.paths['/api/v1/economy/echo']);
      const missing = await fetch(`${base}/docs/specs/world.json`);
      assert.equal(missing.status, 502);
      assert.equal((await fetch(`${base}/docs/specs/nope.json`)).status, 400);
    });

    it('answers CORS preflights for the configured origins only', async () => {
      const preflight = (origin: string) =>
        fetch(`${base}/api/v1/economy/echo`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization',
          },
        });
      const allowed = await preflight('https://play.necp.example');
      if (cors) assert.equal(allowed.status, 204);
      assert.equal(allowed.headers.get('access-control-allow-origin'), cors ? 'https://play.necp.example' : null);
      const other = await preflight('https://evil.example');
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    });

    it('answers unknown paths with a 404 problem', async () => {
      const response = await fetch(`${base}/api/v2/anything`, { headers: bearer });
      assert.equal(response.status, 404);
      assert.equal(((await response.json()) as { code: string }).code, 'NOT_FOUND');
    });

    it('refuses a protected route without a valid token', async () => {
      const missing = await fetch(`${base}/api/v1/economy/echo`, { method: 'POST' });
      assert.equal(missing.status, 401);
      assert.equal(((await missing.json()) as { code: string }).code, 'UNAUTHENTICATED');
      const expired = await fetch(`${base}/api/v1/economy/echo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await issuer.token({ expiresInSeconds: -60 })}` },
      });
      assert.equal(expired.status, 401);
      assert.equal(((await expired.json()) as { code: string }).code, 'TOKEN_EXPIRED');
      const foreign = await startTestIssuer();
      const forged = await fetch(`${base}/api/v1/economy/echo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await foreign.token()}` },
      });
      await foreign.close();
      assert.equal(forged.status, 401, 'a token from another issuer is refused');
    });

    it('refuses a revoked session and a banned account at once', async () => {
      const sessionId = crypto.randomUUID();
      const accountId = crypto.randomUUID();
      const token = await issuer.token({ sessionId, accountId });
      const call = () =>
        fetch(`${base}/api/v1/economy/echo`, {
          method: 'POST',
          body: JSON.stringify({ amount: 1 }),
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        });
      assert.equal((await call()).status, 200);
      const denyList = authenticatorFor(gateway.context).denyList;
      await denyList.revokeSession(sessionId);
      const revoked = await call();
      assert.equal(revoked.status, 401);
      assert.equal(((await revoked.json()) as { code: string }).code, 'TOKEN_REVOKED');
      const other = await issuer.token({ accountId });
      await denyList.banAccount(accountId);
      const banned = await fetch(`${base}/api/v1/economy/echo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other}` },
      });
      assert.equal(banned.status, 403);
      assert.equal(((await banned.json()) as { code: string }).code, 'ACCOUNT_BANNED');
    });

    if (transport === 'http') {
      it('vouches for the caller it checked, so the service skips its second deny-list check; a request straight to the service gets the full check', async () => {
        const sessionId = crypto.randomUUID();
        const token = await issuer.token({ sessionId });
        const viaGateway = await fetch(`${base}/api/v1/economy/vouch`, {
          headers: { authorization: `Bearer ${token}`, [EdgeVouchHeader]: `${Date.now()}.forged-by-the-client` },
        });
        assert.equal(viaGateway.status, 200);
        const { vouch } = (await viaGateway.json()) as { vouch: string };
        assert.doesNotMatch(vouch, /forged/, "a client's own header never reaches the service");
        assert.equal(createEdgeVouch(vouchKey).holds(vouch, token), true);

        await authenticatorFor(gateway.context).denyList.revokeSession(sessionId);
        const direct = (headers: Record<string, string>) =>
          fetch(`http://127.0.0.1:${economy.port}/api/v1/economy/whoami`, {
            headers: { authorization: `Bearer ${token}`, ...headers },
          });
        // The gateway's vouch for this very token stands for the check the gateway made (10 s at most).
        assert.equal((await direct({ [EdgeVouchHeader]: vouch })).status, 200);
        const other = await issuer.token({ sessionId });
        const refusals = [
          await direct({}),
          await direct({ [EdgeVouchHeader]: `${Date.now()}.forged-by-the-client` }),
          await direct({ [EdgeVouchHeader]: createEdgeVouch(vouchKey).sign(other) }),
          await direct({ [EdgeVouchHeader]: createEdgeVouch(vouchKey).sign(token, Date.now() - 60_000) }),
          await direct({ [EdgeVouchHeader]: createEdgeVouch('another key of 32 characters at least').sign(token) }),
        ];
        for (const refused of refusals) {
          assert.equal(refused.status, 401);
          assert.equal(((await refused.json()) as { code: string }).code, 'TOKEN_REVOKED');
        }
      });
    }

    it('limits logins per login name and answers 429 with Retry-After and RateLimit headers', async () => {
      const login = (name: string) =>
        fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          body: JSON.stringify({ login: name, password: 'wrong-password-1' }),
          headers: { 'content-type': 'application/json' },
        });
      const answers = [];
      for (let attempt = 0; attempt < 4; attempt++) answers.push(await login('Victim'));
      assert.deepEqual(
        answers.map((response) => response.status),
        [503, 503, 503, 429],
        'auth is down in this test (503) until the fourth try is refused at the edge',
      );
      const refused = answers[3] as Response;
      assert.equal(refused.headers.get('ratelimit-limit'), '3');
      assert.equal(refused.headers.get('ratelimit-remaining'), '0');
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.equal(((await refused.json()) as { code: string }).code, 'RATE_LIMITED');
      assert.equal(answers[0]?.headers.get('ratelimit-remaining'), '2');
    });

    it('limits crafting jobs per character at the edge, the one place that rule lives (429 RATE_LIMITED)', async () => {
      const craft = (characterId: string) =>
        fetch(`${base}/api/v1/economy/crafting/jobs`, {
          method: 'POST',
          body: JSON.stringify({ characterId, blueprintId: 'ricochet_rounds', workshopId: 'street_garage' }),
          headers: { ...bearer, 'content-type': 'application/json' },
        });
      const busy = crypto.randomUUID();
      const statuses = new Set<number>();
      for (let attempt = 0; attempt < 60; attempt++) statuses.add((await craft(busy)).status);
      assert.deepEqual([...statuses], [200], 'the 60 jobs a minute of shared/API.md pass');
      const refused = await craft(busy);
      assert.equal(refused.status, 429);
      assert.equal(((await refused.json()) as { code: string }).code, 'RATE_LIMITED');
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.equal((await craft(crypto.randomUUID())).status, 200, 'another character has counts of its own');
    });
  });
