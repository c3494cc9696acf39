import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createInternalClient, type InternalClient } from '../../src/http/internal-client.ts';
import { AppError } from '../../src/problem.ts';

/** Another service's internal endpoints: each path answers one way. */
let server: Server;
let baseUrl: string;
let lastAuthorization: string | undefined;

before(async () => {
  server = createServer((request, response) => {
    lastAuthorization = request.headers.authorization;
    const answer = (status: number, body: string) => {
      response.statusCode = status;
      response.setHeader('content-type', 'application/json');
      response.end(body);
    };
    switch (request.url) {
      case '/ok':
        return answer(200, '{"value":42}');
      case '/missing':
        return answer(404, '{"code":"NOT_FOUND"}');
      case '/broken':
        return answer(500, '{"code":"INTERNAL_ERROR"}');
      case '/unready':
        return answer(503, '{"code":"SERVICE_UNAVAILABLE"}');
      case '/forbidden':
        return answer(403, '{"code":"FORBIDDEN"}');
      case '/garbled':
        return answer(200, '<html>');
      case '/hangs':
        return; // never answers
      case '/drops':
        request.socket.destroy();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(client: InternalClient, path: string): Promise<AppError> {
  try {
    await client.getJson(path, 'a test lookup');
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  assert.fail(`${path} answered`);
}

describe('internal calls between services', () => {
  const client = () =>
    createInternalClient({
      baseUrl: `${baseUrl}/`,
      upstream: 'other-service',
      authorization: async () => 'Bearer service-token',
      timeoutMs: 300,
    });

  it('returns the JSON body, sends the service token, and reads 404 as null', async () => {
    assert.deepEqual(await client().getJson('/ok', 'a test lookup'), { value: 42 });
    assert.equal(lastAuthorization, 'Bearer service-token');
    assert.equal(await client().getJson('/missing', 'a test lookup'), null);
  });

  it('is 503 UPSTREAM_UNAVAILABLE with Retry-After when no answer comes: refused, dropped, slow, unready', async () => {
    const refused = createInternalClient({ baseUrl: 'http://127.0.0.1:1', upstream: 'other-service' });
    for (const [name, error] of [
      ['refused', await failure(refused, '/ok')],
      ['dropped', await failure(client(), '/drops')],
      ['slow', await failure(client(), '/hangs')],
      ['unready', await failure(client(), '/unready')],
    ] as const) {
      assert.equal(error.code, 'UPSTREAM_UNAVAILABLE', name);
      assert.equal(error.status, 503, name);
      assert.equal(error.headers['retry-after'], '1', name);
      assert.match(error.message, /other-service/, name);
      assert.match(error.message, /a test lookup/, name);
    }
  });

  it('is 503 when the caller has no service token to ask with', async () => {
    const tokenless = createInternalClient({
      baseUrl,
      upstream: 'other-service',
      authorization: async () => {
        throw new Error('ECONOMY_CLIENT_SECRET is not set');
      },
    });
    const error = await failure(tokenless, '/ok');
    assert.equal(error.status, 503);
    assert.match(error.message, /no service token.*ECONOMY_CLIENT_SECRET/);
  });

  it('is 502 UPSTREAM_UNAVAILABLE for an answer it should not give: a failure, a refusal, not JSON', async () => {
    for (const path of ['/broken', '/forbidden', '/garbled']) {
      const error = await failure(client(), path);
      assert.equal(error.code, 'UPSTREAM_UNAVAILABLE', path);
      assert.equal(error.status, 502, path);
      assert.equal(error.headers['retry-after'], undefined, path);
    }
  });
});
