/**
 * The gateway's forwarder against a service that closes its connection after each answer: a slow
 * client gets the whole answer (held for it rather than the reading paused, which undici cannot
 * finish once the connection ended), and a client that goes away before its answer takes the
 * request with it while the gateway keeps serving.
 */
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { UpstreamForwarder } from '../../src/routes/upstream-forwarder.ts';

const BigBody = Buffer.alloc(4 * 1024 * 1024, 'x');
const Chunk = 64 * 1024;

let upstream: Server;
let gateway: FastifyInstance;
let forwarder: UpstreamForwarder;
let port: number;

before(async () => {
  upstream = createServer((request, response) => {
    response.setHeader('connection', 'close');
    if (request.url === '/headers') {
      response.setHeader('set-cookie', ['a=1', 'b=2']);
      response.setHeader('x-shared', 'service');
      response.setHeader('keep-alive', 'timeout=1');
      response.end('{}');
      return;
    }
    if (request.url === '/big') {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BigBody.length });
      for (let at = 0; at < BigBody.length; at += Chunk) response.write(BigBody.subarray(at, at + Chunk));
      response.end();
      return;
    }
    setTimeout(() => response.end(JSON.stringify({ late: true })), 200);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const address = upstream.address();
  const upstreamPort = typeof address === 'object' && address ? address.port : 0;
  forwarder = new UpstreamForwarder({ origin: `http://127.0.0.1:${upstreamPort}`, connections: 1, timeoutMs: 5_000 });
  gateway = Fastify();
  gateway.get('/*', (request, reply) => {
    reply.header('x-gateway', 'kept').header('x-shared', 'gateway');
    forwarder.forward(request, reply.raw, {
      headers: {},
      dropped: new Set(),
      answerHeaders: () => reply.getHeaders(),
      onAnswer: () => reply.hijack(),
      onError: (error) => reply.code(502).send({ error: error.message }),
    });
  });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  const listening = gateway.server.address();
  port = typeof listening === 'object' && listening ? listening.port : 0;
});

after(async () => {
  await gateway.close();
  await forwarder.close();
  await new Promise((resolve) => upstream.close(resolve));
});

/** Every byte a raw HTTP/1.1 client receives for `path`, reading only after `waitMs`. */
function rawGet(path: string, waitMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('error', reject);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.write(`GET ${path} HTTP/1.1\r\nhost: gateway\r\nconnection: close\r\n\r\n`);
    socket.pause();
    setTimeout(() => socket.resume(), waitMs);
  });
}

describe('the upstream forwarder', () => {
  it("keeps the gateway's headers unless the service sets the same, every value of a repeated one, and none hop-by-hop", async () => {
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      get(`http://127.0.0.1:${port}/headers`, resolve).on('error', reject);
    });
    answer.resume();
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers['x-gateway'], 'kept');
    assert.equal(answer.headers['x-shared'], 'service');
    assert.deepEqual(answer.headers['set-cookie'], ['a=1', 'b=2']);
    // The service's `connection: close` and `keep-alive` describe its own connection, not the client's.
    assert.notEqual(answer.headers.connection, 'close');
    assert.notEqual(answer.headers['keep-alive'], 'timeout=1');
  });

  it('hands a slow client the whole answer of a service that closes its connection after it', async () => {
    const received = await rawGet('/big', 500);
    const headerEnd = received.indexOf('\r\n\r\n');
    assert.match(received.subarray(0, headerEnd).toString('latin1'), /^HTTP\/1\.1 200/);
    assert.equal(received.length - headerEnd - 4, BigBody.length, 'every byte of the answer arrived');
  });

  it('drops the request of a client that went away before or while it was sent, and keeps serving', async () => {
    // The one connection to the service is busy: the next requests wait for it.
    const busy = fetch(`http://127.0.0.1:${port}/late`);
    const goneClients = [50, 300].map(
      (leaveAfterMs) =>
        new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.write('GET /late HTTP/1.1\r\nhost: gateway\r\n\r\n');
            setTimeout(() => {
              socket.destroy();
              resolve();
            }, leaveAfterMs);
          });
        }),
    );
    await Promise.all(goneClients);
    assert.equal((await busy).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const answer = await fetch(`http://127.0.0.1:${port}/late`);
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { late: true });
  });
});
