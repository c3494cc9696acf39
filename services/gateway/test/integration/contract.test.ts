/**
 * The gateway as a strict API client sees it: each service's document as served through the
 * gateway (only what it forwards, with the answers the gateway itself gives), the gateway's own
 * document without its catch-all forwarding routes, and a wrong method answered 405 by the
 * service, with its `Allow`, even at a public path and for TRACE.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRuntime, defineService, type RunningService, type Runtime, startService } from '@necp/platform';
import { startTestIssuer, type TestIssuer, testConfig } from '@necp/platform/testing';
import { Type } from 'typebox';
import { gatewayService } from '../../src/service.ts';

/** A stand-in auth-service: a public route, a route for callers, and an internal one the gateway does not forward. */
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
          { config: { access: 'public' }, schema: { body: Type.Object({ login: Type.String() }) } },
          async () => ({ ok: true }),
        );
        app.get(
          '/me',
          { schema: { response: { 200: Type.Object({ accountId: Type.String() }) } } },
          async (request) => ({
            accountId: request.auth?.accountId ?? '',
          }),
        );
      },
    },
    { prefix: '/internal/v1', routes: (app) => app.get('/thing', async () => ({ ok: true })) },
  ],
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

for (const transport of ['auto', 'http'] as const)
  describe(`the gateway's contract (${transport})`, () => {
    let runtime: Runtime;
    let gateway: RunningService;
    let auth: RunningService;
    let issuer: TestIssuer;
    let port: number;
    let token: string;

    before(async () => {
      issuer = await startTestIssuer();
      token = await issuer.token();
      const authPort = await freePort();
      runtime = await createRuntime(
        testConfig({
          AUTH_URL: `http://127.0.0.1:${authPort}`,
          OIDC_ISSUER: issuer.issuer,
          GATEWAY_UPSTREAM_TRANSPORT: transport,
          REDIS_KEY_PREFIX: `gateway-contract-${crypto.randomUUID()}:`,
        }),
        'gateway-contract-test',
      );
      auth = await startService(standInAuth, runtime, { host: '127.0.0.1', port: authPort });
      gateway = await startService(gatewayService, runtime, { host: '127.0.0.1', port: 0 });
      port = gateway.port;
    });
    after(async () => {
      await gateway.stop();
      await auth.stop();
      await runtime.close();
      await issuer.close();
    });

    /** node:http: fetch refuses TRACE. */
    const call = (method: string, path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; allow: unknown; body: Record<string, unknown> }>((resolve, reject) => {
        const sent = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (response) => {
          let text = '';
          response.on('data', (chunk) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, allow: response.headers.allow, body: JSON.parse(text) }),
          );
        });
        sent.on('error', reject);
        sent.end();
      });

    it("serves a service's document with only the paths it forwards, each with the gateway's own answers", async () => {
      const document = (await (await fetch(`http://127.0.0.1:${port}/docs/specs/auth.json`)).json()) as Document;
      assert.deepEqual(Object.keys(document.paths).sort(), ['/api/v1/auth/login', '/api/v1/auth/me']);
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          for (const status of ['429', '502', '503', '504']) {
            const content = Object.keys(operation.responses[status]?.content ?? {});
            assert.deepEqual(content, ['application/problem+json'], `${method} ${path} ${status}`);
          }
        }
      }
    });

    it('documents its own routes, with their 429, and not the catch-alls that forward', async () => {
      const document = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as Document;
      assert.ok(document.paths['/api/v1/health']);
      assert.deepEqual(
        Object.keys(document.paths).filter((path) => path.startsWith('/api/v1/auth')),
        [],
      );
      const limited = document.paths['/api/v1/health']?.get?.responses['429'];
      assert.deepEqual(Object.keys(limited?.content ?? {}), ['application/problem+json']);
    });

    it('lets the service answer another method at a public path: 405 with its Allow, not 401', async () => {
      const answer = await call('GET', '/api/v1/auth/login');
      assert.equal(answer.status, 405);
      assert.equal(answer.allow, 'POST');
      assert.equal(answer.body.code, 'METHOD_NOT_ALLOWED');
    });

    it("forwards TRACE, which the service refuses with 405; without a token it is the gateway's 401", async () => {
      const answer = await call('TRACE', '/api/v1/auth/me', { authorization: `Bearer ${token}` });
      assert.equal(answer.status, 405);
      assert.equal(answer.allow, 'GET, HEAD');
      assert.equal((await call('TRACE', '/api/v1/auth/me')).status, 401);
    });
  });
