import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Type } from 'typebox';
import { MemoryCache } from '../../src/cache/cache.ts';
import { ConfigError } from '../../src/config.ts';
import type { InternalClient } from '../../src/http/internal-client.ts';
import { createCharacterAccess } from '../../src/ownership/character-access.ts';
import { idempotencyOf, runIdempotentCommand, sendResult } from '../../src/routes/idempotent-command.ts';
import { IdempotencyHeaders, pageLimit, pageQuery, problems } from '../../src/routes/route-schemas.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { defineService } from '../../src/service/definition.ts';
import { type RunningService, startService } from '../../src/service.ts';
import { adapterLabel, startTestIssuer, type TestIssuer, testConfig } from '../../src/testing.ts';

const Settings = Type.Object({ KIT_TEST_GREETING: Type.String({ minLength: 3, default: 'hello' }) });

/** A small service on the kit: what a new service moves into. */
function kitService(builds: { count: number }) {
  return defineService({
    name: 'world',
    description: 'a service on the kit',
    migrations: new URL('../fixtures/kit-migrations/', import.meta.url),
    build(context) {
      builds.count += 1;
      return { db: context.db, greeting: context.settings(Settings).KIT_TEST_GREETING };
    },
    routes: [
      {
        prefix: '/api/v1/kit',
        routes(app, deps) {
          const Body = Type.Object({ amount: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
          app.get('', { config: { access: 'public' } }, async () => ({ greeting: deps.greeting }));
          app.get('/pages', { schema: { querystring: pageQuery({ mine: Type.Optional(Type.Boolean()) }) } }, (r) => ({
            limit: pageLimit(r.query),
          }));
          app.post('/commands', { schema: { body: Body, headers: IdempotencyHeaders } }, async (request, reply) => {
            const caller = request.auth?.accountId ?? '';
            const result = await runIdempotentCommand(deps.db, idempotencyOf(request, 'world', caller), async () => ({
              status: 201,
              body: { amount: request.body.amount, at: randomUUID() },
            }));
            return sendResult(reply, result);
          });
          app.post(
            '/operations',
            {
              config: { access: { roles: ['world.operator'] } },
              schema: { body: Body, response: { 200: Type.Object({ done: Type.Boolean() }), ...problems(422) } },
            },
            async () => ({ done: true }),
          );
        },
      },
    ],
  });
}

describe(`the service kit on ${adapterLabel}`, () => {
  let issuer: TestIssuer;
  let runtime: Runtime;
  let service: RunningService;
  let base: string;
  const builds = { count: 0 };
  const call = async (method: string, path: string, options: { token?: string; body?: unknown } = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  before(async () => {
    issuer = await startTestIssuer();
    runtime = await createRuntime(testConfig({ OIDC_ISSUER: issuer.issuer, KIT_TEST_GREETING: 'hey choom' }), 'kit');
    service = await startService(kitService(builds), runtime, { host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${service.port}`;
  });
  after(async () => {
    await service.stop();
    await runtime.close();
    await issuer.close();
  });

  it('builds the dependencies once, with the settings read from the configuration it was given', async () => {
    assert.equal(builds.count, 1);
    assert.deepEqual((await call('GET', '/api/v1/kit')).body, { greeting: 'hey choom' });
  });

  it('refuses a wrong setting of a service by naming the variable', async () => {
    const other = await createRuntime(testConfig({ KIT_TEST_GREETING: 'no' }), 'kit-bad');
    try {
      await assert.rejects(
        startService(kitService({ count: 0 }), other, { host: '127.0.0.1', port: 0 }),
        (error: unknown) => error instanceof ConfigError && error.message.includes('KIT_TEST_GREETING'),
      );
    } finally {
      await other.close();
    }
  });

  it('checks in one order: token (401), roles (403), then the request (400)', async () => {
    const player = await issuer.token();
    const operator = await issuer.token({ roles: ['world.operator'] });
    const bad = { amount: 'lots' };
    assert.equal((await call('POST', '/api/v1/kit/commands', { body: bad })).status, 401);
    assert.equal((await call('POST', '/api/v1/kit/commands', { token: 'junk', body: bad })).status, 401);
    assert.equal((await call('POST', '/api/v1/kit/commands', { token: player, body: bad })).status, 400);
    const forbidden = await call('POST', '/api/v1/kit/operations', { token: player, body: bad });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.code, 'FORBIDDEN');
    assert.equal((await call('POST', '/api/v1/kit/operations', { token: operator, body: bad })).status, 400);
    assert.equal((await call('POST', '/api/v1/kit/operations', { token: operator, body: { amount: 1 } })).status, 200);
  });

  it('documents the access of each route in the OpenAPI document, under the group prefix', async () => {
    const document = (await call('GET', '/openapi.json')).body as {
      paths: Record<
        string,
        Record<string, { security?: unknown; responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
    };
    const open = document.paths['/api/v1/kit']?.get;
    const guarded = document.paths['/api/v1/kit/operations']?.post;
    assert.ok(open && guarded, Object.keys(document.paths).join(', '));
    assert.equal(open.security, undefined);
    assert.deepEqual(guarded.security, [{ bearer: [] }]);
    // The access level's 401/403, the route's 422, and what the kit knows: a body is checked (400) and read (413, 415).
    assert.deepEqual(Object.keys(guarded.responses).sort(), ['200', '400', '401', '403', '413', '415', '422']);
    for (const status of ['400', '401', '403', '413', '415', '422']) {
      assert.deepEqual(Object.keys(guarded.responses[status]?.content ?? {}), ['application/problem+json'], status);
    }
  });

  it('pages with the default size unless asked, and refuses a size over the maximum', async () => {
    const token = await issuer.token();
    assert.deepEqual((await call('GET', '/api/v1/kit/pages', { token })).body, { limit: 20 });
    assert.deepEqual((await call('GET', '/api/v1/kit/pages?limit=5&mine=true', { token })).body, { limit: 5 });
    assert.equal((await call('GET', '/api/v1/kit/pages?limit=101', { token })).status, 400);
  });

  it('answers a repeated Idempotency-Key with the first answer, marked replayed', async () => {
    const token = await issuer.token();
    const send = (amount: number) =>
      fetch(`${base}/api/v1/kit/commands`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'k-1' },
        body: JSON.stringify({ amount }),
      });
    const first = await send(3);
    const again = await send(3);
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await again.json(), await first.json());
    assert.equal((await send(4)).status, 422);
  });
});

describe('character access', () => {
  const owner = randomUUID();
  const projected = randomUUID();
  const remoteOnly = randomUUID();
  let remoteCalls = 0;
  const characterService: InternalClient = {
    async getJson(path) {
      remoteCalls += 1;
      return path.endsWith(remoteOnly) ? { characterId: remoteOnly, accountId: owner } : null;
    },
  };
  const caller = { accountId: owner, roles: ['player'], sessionId: undefined, token: '', clientId: undefined };
  const stranger = { ...caller, accountId: randomUUID() };
  const access = createCharacterAccess(new MemoryCache(), characterService, {
    projection: async (id) => (id === projected ? { accountId: owner, deleted: false } : undefined),
  });

  it('asks its projection first and character-service only for what the projection has not seen', async () => {
    await access.assertCallerOwns({ ...caller, expiresAt: new Date() }, projected);
    assert.equal(remoteCalls, 0);
    await access.assertCallerOwns({ ...caller, expiresAt: new Date() }, remoteOnly);
    assert.equal(remoteCalls, 1);
  });

  it('answers 403 for another account, 404 for no character, and lets bypass roles through', async () => {
    const other = { ...stranger, expiresAt: new Date() };
    await assert.rejects(access.assertCallerOwns(other, projected), { status: 403 });
    await assert.rejects(access.assertCallerOwns(other, randomUUID()), { status: 404 });
    await access.assertCallerOwns({ ...other, roles: ['service'] }, projected, ['service']);
    assert.equal(await access.ownsAny(other, [null, projected]), false);
    assert.equal(await access.ownsAny({ ...caller, expiresAt: new Date() }, [null, projected]), true);
  });
});
