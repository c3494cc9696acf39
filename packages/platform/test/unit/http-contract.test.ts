/**
 * What a strict API client holds the HTTP layer to: the OpenAPI document tells every answer as it is
 * sent (problems as problem+json, 204 without a body), query text is read strictly, a wrong method
 * is 405 with `Allow`, and what Node's parser refuses is a problem too.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Type } from 'typebox';
import { createHttpService, type HttpService } from '../../src/http/http-service.ts';
import { documentEdgeAnswers } from '../../src/http/openapi-answers.ts';
import { createLogger } from '../../src/logger.ts';
import { PROBLEM_CONTENT_TYPE } from '../../src/problem.ts';
import { problems } from '../../src/routes/route-schemas.ts';

const logger = createLogger('test', 'silent');

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: { required?: string[] } }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

/** Sends raw bytes and reads the whole answer (the server closes these connections). */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.write(request);
  });
}

function problemOfRaw(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  assert.match(head, new RegExp(`content-type: ${PROBLEM_CONTENT_TYPE.replace('+', '\\+')}`, 'i'));
  return { statusLine: head.split('\r\n')[0], problem: JSON.parse(body) as Record<string, unknown> };
}

describe('the HTTP contract a strict client checks', () => {
  let service: HttpService;
  let base: string;
  let port: number;
  let document: Document;
  let releaseSlow: () => void = () => undefined;
  let markSlowStarted: () => void = () => undefined;
  const slowStarted = new Promise<void>((resolve) => {
    markSlowStarted = resolve;
  });

  before(async () => {
    service = await createHttpService({
      name: 'contract',
      host: '127.0.0.1',
      port: 0,
      logger,
      metrics: new Registry(),
      bodyLimit: 1024,
      readiness: {},
      routes(app) {
        documentEdgeAnswers(app.server, [429]);
        app.get(
          '/things',
          {
            schema: {
              querystring: Type.Object(
                {
                  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
                  ratio: Type.Optional(Type.Number()),
                  deleted: Type.Optional(Type.Boolean()),
                },
                { additionalProperties: false },
              ),
            },
          },
          async (request) => request.query,
        );
        app.get('/things/reference', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, () => ({
          ok: true,
        }));
        app.patch(
          '/things/:thingId',
          {
            schema: {
              params: Type.Object({ thingId: Type.String({ format: 'uuid' }) }),
              body: Type.Object({ name: Type.String() }),
              response: { 200: Type.Object({ name: Type.String() }), ...problems(404, 409) },
            },
          },
          async (request) => request.body,
        );
        app.delete(
          '/things/:thingId',
          {
            schema: {
              params: Type.Object({ thingId: Type.String({ format: 'uuid' }) }),
              response: { 204: Type.Null() },
            },
          },
          async (_request, reply) => reply.code(204).send(null),
        );
        app.get('/slow', async () => {
          await new Promise<void>((resolve) => {
            releaseSlow = resolve;
            markSlowStarted();
          });
          return { done: true };
        });
      },
    });
    port = await service.listen();
    base = `http://127.0.0.1:${port}`;
    document = (await (await fetch(`${base}/openapi.json`)).json()) as Document;
  });
  after(async () => {
    releaseSlow();
    await service.close().catch(() => undefined);
  });

  /** node:http, which sends any method (fetch refuses TRACE). */
  const call = (method: string, path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: Record<string, unknown>; problem: Record<string, unknown> }>(
      (resolve, reject) => {
        const sent = httpRequest({ port, host: '127.0.0.1', method, path, headers }, (response) => {
          let text = '';
          response.on('data', (chunk) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, problem: JSON.parse(text) }),
          );
        });
        sent.on('error', reject);
        sent.end(headers['content-length'] ? '<x/>' : undefined);
      },
    );

  const responsesOf = (path: string, method: string) => document.paths[path]?.[method]?.responses ?? {};

  it('documents every problem answer as application/problem+json with the problem schema', () => {
    const patch = responsesOf('/things/{thingId}', 'patch');
    for (const status of ['400', '404', '409', '413', '415', '429']) {
      const content = patch[status]?.content ?? {};
      assert.deepEqual(Object.keys(content), [PROBLEM_CONTENT_TYPE], status);
      assert.deepEqual(content[PROBLEM_CONTENT_TYPE]?.schema?.required, [
        'type',
        'title',
        'status',
        'detail',
        'code',
        'traceId',
      ]);
    }
    assert.deepEqual(Object.keys(patch['200']?.content ?? {}), ['application/json']);
  });

  it('documents 400 only where the request is checked, and 413/415 only where a body is read', () => {
    assert.ok(responsesOf('/things', 'get')['400']);
    assert.equal(responsesOf('/things', 'get')['413'], undefined);
    assert.equal(responsesOf('/things/reference', 'get')['400'], undefined);
    assert.ok(responsesOf('/things/reference', 'get')['429'], 'what the edge answers on every route');
  });

  it('documents a 204 without a body, and /metrics as the text it is', () => {
    const deleted = responsesOf('/things/{thingId}', 'delete')['204'];
    assert.ok(deleted);
    assert.equal(deleted.content, undefined);
    assert.deepEqual(Object.keys(responsesOf('/metrics', 'get')['200']?.content ?? {}), ['text/plain']);
  });

  it('reads query text strictly: integers from integer text, booleans from true and false', async () => {
    const ok = await fetch(`${base}/things?limit=5&ratio=0.5&deleted=false`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { limit: 5, ratio: 0.5, deleted: false });
    for (const query of ['limit=true', 'limit=1.5', 'limit=', 'limit=0x10', 'ratio=abc', 'deleted=1', 'deleted=yes']) {
      const response = await fetch(`${base}/things?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
  });

  it('answers a known path with another method 405 and the methods it takes in Allow, whatever the body', async () => {
    for (const [method, path, allow] of [
      ['POST', '/things', 'GET, HEAD'],
      ['PUT', '/things/7f1c8c3e-3d8a-4f7e-9a63-0e0b1f6f2a10', 'DELETE, PATCH'],
      ['TRACE', '/health', 'GET, HEAD'],
      // The static sibling of a route with a parameter is its own resource, not a bad id.
      ['PATCH', '/things/reference', 'GET, HEAD'],
      ['OPTIONS', '/things/reference', 'GET, HEAD'],
    ] as const) {
      const body: Record<string, string> =
        method === 'TRACE' ? {} : { 'content-type': 'application/xml', 'content-length': '4' };
      const response = await call(method, path, body);
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.allow, allow, `${method} ${path}`);
      assert.equal(response.problem.code, 'METHOD_NOT_ALLOWED');
    }
    assert.equal((await fetch(`${base}/elsewhere`, { method: 'POST' })).status, 404);
  });

  it('answers headers larger than the parser reads with a 431 problem', async () => {
    const answer = await rawExchange(port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const { statusLine, problem } = problemOfRaw(answer);
    assert.match(statusLine ?? '', /^HTTP\/1\.1 431 /);
    assert.equal(problem.status, 431);
    assert.equal(problem.code, 'HEADERS_TOO_LARGE');
  });

  it('answers text that is not HTTP with a 400 problem, and an unknown expectation with a 417 one', async () => {
    const garbage = problemOfRaw(await rawExchange(port, 'GET /health HTTP/1.1\r\nHost x\r\n\r\n'));
    assert.match(garbage.statusLine ?? '', /^HTTP\/1\.1 400 /);
    assert.equal(garbage.problem.code, 'VALIDATION_ERROR');
    const expectation = await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n');
    assert.match(expectation, /^HTTP\/1\.1 417 /);
    assert.match(expectation, /"code":"EXPECTATION_FAILED"/);
  });

  it('answers a request handed to it while it shuts down with a 503 problem', async () => {
    // As the gateway of the all-in-one process hands requests to a service: straight to its router.
    const handOff = createServer((request, response) => service.app.routing(request, response));
    await new Promise<void>((resolve) => handOff.listen(0, '127.0.0.1', resolve));
    const handOffPort = (handOff.address() as AddressInfo).port;
    try {
      const held = fetch(`${base}/slow`);
      await slowStarted;
      const closing = service.close();
      const response = await fetch(`http://127.0.0.1:${handOffPort}/health`);
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('connection'), 'close');
      const problem = (await response.json()) as Record<string, unknown>;
      assert.equal(problem.code, 'SERVICE_UNAVAILABLE');
      releaseSlow();
      assert.equal((await held).status, 200);
      await closing;
    } finally {
      handOff.close();
    }
  });
});
