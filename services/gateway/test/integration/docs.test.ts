/**
 * `/docs` as a player's developer opens it: the game API first, one document of every operation
 * the gateway forwards, grouped by service, the gateway's own API routes apart, nothing internal or
 * infrastructural, and "try it out" aimed at the gateway with a bearer token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRuntime, defineService, type RunningService, type Runtime, startService } from '@necp/platform';
import { startTestIssuer, type TestIssuer, testConfig } from '@necp/platform/testing';
import { Type } from 'typebox';
import { gatewayService } from '../../src/service.ts';
import { freePort } from '../support/free-port.ts';

const standInAuth = defineService({
  name: 'auth',
  description: 'stand-in',
  build: () => undefined,
  routes: [
    {
      prefix: '/api/v1/auth',
      routes(app) {
        app.post(
          '/login',
          { config: { access: 'public' }, schema: { tags: ['auth'], body: Type.Object({ login: Type.String() }) } },
          async () => ({ ok: true }),
        );
        app.get(
          '/me',
          { schema: { tags: ['sessions'], response: { 200: Type.Object({ accountId: Type.String() }) } } },
          async (request) => ({ accountId: request.auth?.accountId ?? '' }),
        );
      },
    },
    { prefix: '/internal/v1', routes: (app) => app.get('/thing', async () => ({ ok: true })) },
  ],
});

const standInEconomy = defineService({
  name: 'economy',
  description: 'stand-in',
  build: () => undefined,
  routes: [
    {
      prefix: '/api/v1/economy',
      routes(app) {
        app.get('/wallets', { schema: { tags: ['wallets'] } }, async () => ({ wallets: [] }));
      },
    },
  ],
});

interface Document {
  info: { description: string };
  servers: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, { tags: string[]; security?: unknown[] }>>;
  components: { securitySchemes: Record<string, { scheme: string }> };
}

describe("the gateway's /docs", () => {
  let issuer: TestIssuer;
  let runtime: Runtime;
  let services: RunningService[];
  let base: string;

  before(async () => {
    issuer = await startTestIssuer();
    const [authPort, economyPort, deadPort] = [await freePort(), await freePort(), await freePort()];
    runtime = await createRuntime(
      testConfig({
        AUTH_URL: `http://127.0.0.1:${authPort}`,
        ECONOMY_URL: `http://127.0.0.1:${economyPort}`,
        CHARACTER_URL: `http://127.0.0.1:${deadPort}`,
        GAMEPLAY_URL: `http://127.0.0.1:${deadPort}`,
        SOCIAL_URL: `http://127.0.0.1:${deadPort}`,
        WORLD_URL: `http://127.0.0.1:${deadPort}`,
        UPSTREAM_TIMEOUT_MS: '500',
        OIDC_ISSUER: issuer.issuer,
        REDIS_KEY_PREFIX: `gateway-docs-${crypto.randomUUID()}:`,
      }),
      'gateway-docs-test',
    );
    services = [
      await startService(standInAuth, runtime, { host: '127.0.0.1', port: authPort }),
      await startService(standInEconomy, runtime, { host: '127.0.0.1', port: economyPort }),
    ];
    const gateway = await startService(gatewayService, runtime, { host: '127.0.0.1', port: 0 });
    services.push(gateway);
    base = `http://127.0.0.1:${gateway.port}`;
  });
  after(async () => {
    for (const service of services.reverse()) await service.stop();
    await runtime.close();
    await issuer.close();
  });

  it('serves the game API: every forwarded operation grouped by service, the gateway apart, nothing internal', async () => {
    const response = await fetch(`${base}/docs/specs/game.json`);
    assert.equal(response.status, 200);
    const document = (await response.json()) as Document;
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => `${operation.tags.join()} ${method.toUpperCase()} ${path}`),
    );
    assert.deepEqual(operations.toSorted(), [
      'auth GET /api/v1/auth/me',
      'auth POST /api/v1/auth/login',
      'economy GET /api/v1/economy/wallets',
      'gateway GET /api/v1/health',
      'gateway GET /api/v1/stream',
    ]);
    // In the order of the services, the gateway's own last; a service without operations has no group.
    assert.deepEqual(
      document.tags.map((tag) => tag.name),
      ['auth', 'economy', 'gateway'],
    );
    assert.match(document.info.description, /Not answering now, so not listed: character, gameplay, social, world/);
  });

  it('aims "try it out" at the gateway, with a bearer token where the operation needs one', async () => {
    const document = (await (await fetch(`${base}/docs/specs/game.json`)).json()) as Document;
    assert.deepEqual(document.servers, [{ url: '/', description: 'api-gateway' }]);
    assert.equal(document.components.securitySchemes.bearer?.scheme, 'bearer');
    assert.deepEqual(document.paths['/api/v1/auth/me']?.get?.security, [{ bearer: [] }]);
    assert.equal(document.paths['/api/v1/auth/login']?.post?.security, undefined);
    // What "try it out" sends: the documented path on the server named, with the token.
    const accountId = crypto.randomUUID();
    const tried = await fetch(new URL('/api/v1/auth/me', `${base}${document.servers[0]?.url}`), {
      headers: { authorization: `Bearer ${await issuer.token({ accountId })}` },
    });
    assert.equal(tried.status, 200);
    assert.deepEqual(await tried.json(), { accountId });
  });

  it('opens on the game API', async () => {
    const page = await fetch(`${base}/docs/static/swagger-initializer.js`);
    assert.equal(page.status, 200);
    const script = await page.text();
    const game = script.indexOf('/docs/specs/game.json');
    assert.ok(game >= 0, 'the game API is listed');
    assert.ok(game < script.indexOf('/openapi.json'), 'first, before the gateway document');
  });
});
