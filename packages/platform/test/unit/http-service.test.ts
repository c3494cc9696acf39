import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Type } from 'typebox';
import { createHttpService, type HttpService } from '../../src/http/http-service.ts';
import { upstreamUnavailable } from '../../src/http/internal-client.ts';
import { createLogger } from '../../src/logger.ts';
import { AppError } from '../../src/problem.ts';

const logger = createLogger('test', 'silent');

async function problemOf(response: Response) {
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(typeof body.traceId, 'string');
  assert.equal(body.status, response.status);
  assert.doesNotMatch(JSON.stringify(body), /\.(ts|js):\d+/, 'no stack trace leaks');
  return body;
}

describe('the HTTP service factory', () => {
  let service: HttpService;
  let base: string;
  let dependencyUp = true;
  let releaseSlow: (() => void) | undefined;
  let slowStarted: Promise<void>;
  let markSlowStarted: () => void;

  before(async () => {
    slowStarted = new Promise((resolve) => {
      markSlowStarted = resolve;
    });
    service = await createHttpService({
      name: 'sample',
      host: '127.0.0.1',
      port: 0,
      logger,
      metrics: new Registry(),
      bodyLimit: 1024,
      readiness: {
        database: async () => {
          if (!dependencyUp) throw new Error('connection refused');
        },
      },
      routes(app) {
        app.post(
          '/things/:thingId',
          {
            schema: {
              params: Type.Object({ thingId: Type.String({ format: 'uuid' }) }),
              body: Type.Object(
                { name: Type.String({ minLength: 1, maxLength: 20 }), amount: Type.Integer({ minimum: 1 }) },
                { additionalProperties: false },
              ),
              response: { 201: Type.Object({ id: Type.String(), name: Type.String() }) },
            },
          },
          async (request, reply) => reply.code(201).send({ id: request.params.thingId, name: request.body.name }),
        );
        app.post(
          '/echo',
          { bodyLimit: 1_048_576, schema: { body: Type.Object({ name: Type.String() }) } },
          async (request) => request.body,
        );
        app.get('/conflict', async () => {
          throw new AppError('INVALID_STATE', 'not now', { extensions: { current: 'draft' } });
        });
        app.get('/down', async () => {
          throw upstreamUnavailable('other-service cannot be reached for a lookup');
        });
        app.get('/bug', async () => {
          throw new Error('secret internal detail');
        });
        app.get('/slow', async () => {
          markSlowStarted();
          await new Promise<void>((resolve) => {
            releaseSlow = resolve;
          });
          return { done: true };
        });
      },
    });
    base = `http://127.0.0.1:${await service.listen()}`;
  });

  after(async () => {
    releaseSlow?.();
    await service.close().catch(() => undefined);
  });

  const thing = '0b8e4f9e-8a5e-4f51-9f59-3c1f8c1f7b11';
  const post = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } });

  it('answers a valid request', async () => {
    const response = await post(`/things/${thing}`, JSON.stringify({ name: 'a', amount: 2 }));
    assert.equal(response.status, 201);
    assert.deepEqual(await response.json(), { id: thing, name: 'a' });
    assert.ok(response.headers.get('x-request-id'));
  });

  it('refuses a schema violation with 400 and the failing paths', async () => {
    const body = await problemOf(await post(`/things/${thing}`, JSON.stringify({ name: '', amount: 0 })));
    assert.equal(body.code, 'VALIDATION_ERROR');
    const paths = (body.errors as { path: string }[]).map((error) => error.path);
    assert.ok(paths.includes('body/name'));
    assert.ok(paths.includes('body/amount'));
  });

  it('refuses unknown body fields', async () => {
    const body = await problemOf(await post(`/things/${thing}`, JSON.stringify({ name: 'a', amount: 1, admin: true })));
    assert.equal(body.code, 'VALIDATION_ERROR');
  });

  it('refuses a malformed path parameter', async () => {
    const body = await problemOf(await post('/things/not-a-uuid', JSON.stringify({ name: 'a', amount: 1 })));
    assert.equal(body.code, 'VALIDATION_ERROR');
    assert.ok((body.errors as { path: string }[]).some((error) => error.path.startsWith('params')));
  });

  it('refuses what the router itself rejects (a path parameter over its length limit, broken percent-encoding) with a 400 problem', async () => {
    for (const path of [`/things/${'x'.repeat(101)}`, '/things/%E0%A4%A']) {
      const response = await post(path, JSON.stringify({ name: 'a', amount: 1 }));
      assert.equal(response.status, 400, path);
      const body = await problemOf(response);
      assert.equal(body.code, 'VALIDATION_ERROR');
      assert.ok((body.errors as { path: string }[]).some((error) => error.path === 'params'));
    }
  });

  it('refuses malformed JSON with 400', async () => {
    const body = await problemOf(await post(`/things/${thing}`, '{"name": '));
    assert.equal(body.code, 'VALIDATION_ERROR');
  });

  it('refuses text a database cannot store (U+0000, lone surrogates) with 400, in values and keys alike', async () => {
    for (const name of ['"a\\u0000b"', '"a\\ud800"', '"\\udc00a"']) {
      const body = await problemOf(await post(`/things/${thing}`, `{"name": ${name}, "amount": 1}`));
      assert.equal(body.code, 'VALIDATION_ERROR', name);
    }
    const inKey = await post(`/things/${thing}`, '{"name": "a", "amount": 1, "x\\u0000": 1}');
    assert.equal(inKey.status, 400);
    assert.match((await problemOf(inKey)).detail as string, /U\+0000/);
  });

  it('checks a long array in a body without overflowing', async () => {
    const many = `[${'1,'.repeat(520_000)}"\\u0000"]`;
    const response = await post('/echo', `{"name": "a", "list": ${many}}`);
    assert.equal(response.status, 400);
    assert.match((await problemOf(response)).detail as string, /U\+0000/);
  });

  it('accepts a surrogate pair and an escaped backslash before u0000', async () => {
    for (const [name, expected] of [
      ['"\\ud83d\\ude00"', '\u{1F600}'],
      ['"\\\\u0000"', '\\u0000'],
    ] as const) {
      const response = await post('/echo', `{"name": ${name}}`);
      assert.equal(response.status, 200, name);
      assert.equal(((await response.json()) as { name: string }).name, expected);
    }
  });

  it('refuses an oversized body with 413', async () => {
    const body = await problemOf(await post(`/things/${thing}`, JSON.stringify({ name: 'x'.repeat(5000), amount: 1 })));
    assert.equal(body.code, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses an unsupported media type with 415', async () => {
    const body = await problemOf(await post(`/things/${thing}`, '<xml/>', 'application/xml'));
    assert.equal(body.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers unknown routes with 404', async () => {
    const body = await problemOf(await fetch(`${base}/nowhere`));
    assert.equal(body.code, 'NOT_FOUND');
  });

  it('answers domain errors with their status, code and extensions', async () => {
    const body = await problemOf(await fetch(`${base}/conflict`));
    assert.equal(body.status, 409);
    assert.equal(body.code, 'INVALID_STATE');
    assert.equal(body.current, 'draft');
  });

  it('answers with the status an error was given, in the header line and the body alike', async () => {
    const response = await fetch(`${base}/down`);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '1');
    const body = await problemOf(response);
    assert.equal(body.code, 'UPSTREAM_UNAVAILABLE');
  });

  it('hides unexpected faults behind a 500 problem', async () => {
    const body = await problemOf(await fetch(`${base}/bug`));
    assert.equal(body.code, 'INTERNAL_ERROR');
    assert.equal(JSON.stringify(body).includes('secret internal detail'), false);
  });

  it('continues the caller trace into the problem body', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${base}/nowhere`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'req-42' },
    });
    const body = await problemOf(response);
    assert.equal(body.traceId, traceId);
    assert.equal(response.headers.get('x-request-id'), 'req-42');
  });

  it('serves health, readiness that follows its dependencies, and OpenAPI from the schemas', async () => {
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    dependencyUp = false;
    const unready = await fetch(`${base}/ready`);
    assert.equal(unready.status, 503);
    assert.deepEqual(((await unready.json()) as { checks: unknown }).checks, { database: 'connection refused' });
    dependencyUp = true;
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(openapi.paths['/things/{thingId}']);
  });

  it('counts and times requests by route template and status', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /http_requests_total\{method="POST",route="\/things\/:thingId",status="201"\} 1/);
    assert.match(text, /http_requests_total\{method="POST",route="\/things\/:thingId",status="400"\} \d+/);
    assert.match(text, /http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/things\/:thingId"/);
  });

  it('drains an in-flight request on shutdown and then stops accepting', async () => {
    const inFlight = fetch(`${base}/slow`);
    await slowStarted;
    const closing = service.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    releaseSlow?.();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { done: true });
    await closing;
    await assert.rejects(fetch(`${base}/health`));
  });
});

describe('shutdown with a peer that never finishes its request', () => {
  it('cuts the connection at the drain deadline instead of hanging', async () => {
    const { connect } = await import('node:net');
    const service = await createHttpService({
      name: 'stubborn',
      host: '127.0.0.1',
      port: 0,
      logger,
      metrics: new Registry(),
      bodyLimit: 1024,
      readiness: {},
      drainTimeoutMs: 300,
      routes(app) {
        app.post('/upload', async () => ({ ok: true }));
      },
    });
    const port = await service.listen();
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await service.close();
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 3000, `closed after ${Math.round(elapsed)} ms`);
    socket.destroy();
  });
});
