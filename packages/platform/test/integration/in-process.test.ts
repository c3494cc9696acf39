import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Type } from 'typebox';
import type { AuthContext } from '../../src/auth/claims.ts';
import { createDenyList } from '../../src/auth/deny-list.ts';
import { createAuthenticator } from '../../src/auth/http-auth.ts';
import { createTokenVerifier } from '../../src/auth/verifier.ts';
import type { Cache } from '../../src/cache/cache.ts';
import { createHttpService, type HttpService } from '../../src/http/http-service.ts';
import { handOff } from '../../src/http/in-process.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestCache, startTestIssuer, type TestIssuer } from '../../src/testing.ts';

const logger = createLogger('in-process-test', 'silent');

function httpService(name: string, routes: Parameters<typeof createHttpService>[0]['routes']) {
  return createHttpService({
    name,
    host: '127.0.0.1',
    port: 0,
    logger,
    metrics: new Registry(),
    bodyLimit: 4096,
    readiness: {},
    routes,
  });
}

/**
 * A front service handing requests to a back service of the same process, as the gateway does in
 * the all-in-one process; the back verifies bearer tokens with the platform's authenticator.
 */
describe('handing a request to a service of this process', () => {
  let issuer: TestIssuer;
  let back: HttpService;
  let front: HttpService;
  let frontUrl: string;
  let backUrl: string;
  const revokedSession = randomUUID();
  /** What the front vouches for on the next request, by test. */
  let vouch: (token: string) => AuthContext | undefined = () => undefined;

  let cache: Cache;

  before(async () => {
    issuer = await startTestIssuer();
    cache = createTestCache();
    const denyList = createDenyList(cache, { entryTtlMs: 60_000 });
    await denyList.revokeSession(revokedSession);
    const authenticator = createAuthenticator(
      createTokenVerifier({ issuer: issuer.issuer, audience: 'necp-api', keys: { kind: 'discovery' } }),
      denyList,
    );
    back = await httpService('back', (app) => {
      app.decorateRequest('auth', null);
      app.get('/whoami', { preHandler: authenticator.authenticate }, async (request, reply) =>
        reply.header('x-answered-by', 'back').send({ accountId: request.auth?.accountId }),
      );
      app.post('/echo', { schema: { body: Type.Object({ words: Type.String() }) } }, async (request) => ({
        echoed: request.body.words,
      }));
      app.get('/slow', async () => {
        await new Promise((resolve) => setTimeout(resolve, 800));
        return { late: true };
      });
    });
    front = await httpService('front', (app) => {
      app.get('/*', async (request, reply) => {
        reply.header('x-answered-by', 'front').header('x-front-only', 'kept');
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
        handOff(request, reply, back.app.routing, {
          headers: { 'x-request-id': `front-${request.id}` },
          caller: vouch(token),
          timeoutMs: 100,
          onTimeout(response) {
            response.writeHead(504, { 'content-type': 'application/problem+json' });
            response.end('{"code":"UPSTREAM_TIMEOUT"}');
          },
        });
      });
      // The JSON parser has read the request's stream: the body goes along as bytes.
      app.post('/echo', async (request, reply) => {
        handOff(request, reply, back.app.routing, {
          headers: {},
          body: Buffer.from(JSON.stringify(request.body)),
          timeoutMs: 1_000,
          onTimeout: () => undefined,
        });
      });
    });
    frontUrl = `http://127.0.0.1:${await front.listen()}`;
    backUrl = `http://127.0.0.1:${await back.listen()}`;
  });
  after(async () => {
    await front.close();
    await back.close();
    await issuer.close();
    await cache.close();
  });

  it('takes the caller the front vouched for, and only for the token it vouched for', async () => {
    const token = await issuer.token({ sessionId: revokedSession });
    const vouched: AuthContext = {
      accountId: randomUUID(),
      roles: [],
      sessionId: undefined,
      token,
      clientId: undefined,
      expiresAt: new Date(Date.now() + 60_000),
    };
    vouch = () => vouched;
    const handed = await fetch(`${frontUrl}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(handed.status, 200, 'the back did not check the token again');
    assert.deepEqual(await handed.json(), { accountId: vouched.accountId });

    const direct = await fetch(`${backUrl}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(direct.status, 401, 'over a socket the back verifies, and finds the session revoked');
    assert.equal(((await direct.json()) as { code: string }).code, 'TOKEN_REVOKED');

    const other = await issuer.token({ sessionId: revokedSession });
    const mismatched = await fetch(`${frontUrl}/whoami`, { headers: { authorization: `Bearer ${other}` } });
    assert.equal(mismatched.status, 401, 'a vouch for another token counts for nothing');
  });

  it("answers with the service's status and body, keeping the front's headers unless the service sets them", async () => {
    const accountId = randomUUID();
    vouch = () => undefined;
    const response = await fetch(`${frontUrl}/whoami`, {
      headers: { authorization: `Bearer ${await issuer.token({ accountId })}` },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { accountId }, 'verified by the back itself');
    assert.equal(response.headers.get('x-answered-by'), 'back');
    assert.equal(response.headers.get('x-front-only'), 'kept');
    assert.match(response.headers.get('x-request-id') ?? '', /^front-/, 'the request headers the front set');
  });

  it('replays a body the front had read', async () => {
    const response = await fetch(`${frontUrl}/echo`, {
      method: 'POST',
      body: JSON.stringify({ words: 'over the wire' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { echoed: 'over the wire' });
    const keptAlive = await fetch(`${frontUrl}/echo`, {
      method: 'POST',
      body: JSON.stringify({ words: 'again' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual(await keptAlive.json(), { echoed: 'again' }, 'the connection survived the replayed request');
  });

  it('answers on time when the service is slow, and drops its late answer', async () => {
    const started = performance.now();
    const response = await fetch(`${frontUrl}/slow`);
    assert.equal(response.status, 504);
    assert.deepEqual(await response.json(), { code: 'UPSTREAM_TIMEOUT' });
    assert.ok(performance.now() - started < 700, 'it did not wait for the slow answer');
    await new Promise((resolve) => setTimeout(resolve, 850));
    const after = await fetch(`${frontUrl}/whoami`);
    assert.equal(after.status, 401, 'both services still answer after the late reply was dropped');
  });
});
