import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createServiceClient, type ServiceClient } from '../../src/http/service-client.ts';
import { AppError } from '../../src/problem.ts';

/** Another service's commands: each path answers one way; the body it got is echoed back. */
let server: Server;
let client: ServiceClient;

before(async () => {
  server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const answer = (status: number, text: string) => {
      response.statusCode = status;
      response.setHeader('content-type', 'application/json');
      response.end(text);
    };
    switch (request.url) {
      case '/created':
        return answer(201, JSON.stringify({ got: JSON.parse(body), authorization: request.headers.authorization }));
      case '/refused':
        return answer(422, '{"code":"INSUFFICIENT_FUNDS"}');
      case '/broken':
        return answer(500, '{"code":"INTERNAL_ERROR"}');
      case '/unready':
        return answer(503, '{"code":"SERVICE_UNAVAILABLE"}');
      case '/garbled':
        return answer(201, '<html>');
      case '/drops':
        request.socket.destroy();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = createServiceClient({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    upstream: 'economy-service',
    authorization: async () => 'Bearer service-token',
  });
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(path: string, target = client): Promise<AppError> {
  try {
    await target.postJson(path, {}, 'a test command');
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail(`${path} did not fail`);
}

describe("a service's commands to another service", () => {
  it('sends the JSON body with its service token and returns the answer', async () => {
    const answer = await client.postJson('/created', { orderId: 'o' }, 'a lock');
    assert.deepEqual(answer, { status: 201, body: { got: { orderId: 'o' }, authorization: 'Bearer service-token' } });
  });

  it('hands a refusal (4xx) to the caller as an answer, not a fault', async () => {
    assert.deepEqual(await client.postJson('/refused', {}, 'a lock'), {
      status: 422,
      body: { code: 'INSUFFICIENT_FUNDS' },
    });
  });

  it('answers 503 with Retry-After when the other service is down, 502 for an answer it should not give', async () => {
    for (const path of ['/drops', '/unready']) {
      const error = await failure(path);
      assert.deepEqual([error.code, error.status, error.headers['retry-after']], ['UPSTREAM_UNAVAILABLE', 503, '1']);
    }
    for (const path of ['/broken', '/garbled']) {
      const error = await failure(path);
      assert.deepEqual([error.code, error.status], ['UPSTREAM_UNAVAILABLE', 502], path);
    }
    const tokenless = createServiceClient({
      baseUrl: 'http://127.0.0.1:9',
      upstream: 'economy-service',
      authorization: async () => {
        throw new Error('no secret');
      },
    });
    assert.equal((await failure('/created', tokenless)).status, 503);
  });
});
