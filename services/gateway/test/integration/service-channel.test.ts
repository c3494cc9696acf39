/**
 * The gateway's multiplexed channel to a service (routes/service-channel.ts with the platform's
 * channel-server.ts): several requests in flight on one connection, each answered with its own
 * answer; a large answer; a broken connection failing only its own requests, then connecting
 * again; a connection without the proof of the key refused; a caller the channel does not make (a
 * token that does not verify is refused on it as over HTTP); a service without the channel left to
 * HTTP; a silent service answered 504; a service stopping answers what it took.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  ChannelChallengeHeader,
  ChannelUpgrade,
  channelProof,
  createEdgeVouch,
  createRuntime,
  defineService,
  encodeFrame,
  encodeRequest,
  FrameKind,
  FrameReader,
  type RunningService,
  type Runtime,
  startService,
} from '@necp/platform';
import { startTestIssuer, type TestIssuer, testConfig } from '@necp/platform/testing';
import { classifyUpstreamError } from '../../src/domain/routing.ts';
import { ServiceChannel } from '../../src/routes/service-channel.ts';
import { freePort } from '../support/free-port.ts';

const key = `channel-key-${randomUUID()}`;
const Large = 'x'.repeat(1024 * 1024);

/** A stand-in economy: answers after a delay, answers large, never answers. */
const echoEconomy = defineService({
  name: 'economy',
  description: 'echo',
  build: () => undefined,
  routes: [
    {
      prefix: '/api/v1/economy',
      routes(app) {
        app.get<{ Params: { ms: string; n: string } }>('/delay/:ms/:n', async (request) => {
          await new Promise((resolve) => setTimeout(resolve, Number(request.params.ms)));
          return { n: Number(request.params.n), accountId: request.auth?.accountId };
        });
        app.post('/echo', async (request, reply) => {
          reply.header('x-service', 'set');
          return { received: request.body, requestId: request.headers['x-request-id'] };
        });
        app.get('/large', async () => ({ large: Large }));
        app.get('/silent', { config: { access: 'public' } }, () => new Promise(() => {}));
      },
    },
  ],
});

const caller = { accountId: randomUUID(), token: '' };
const vouch = createEdgeVouch(key);

/**
 * A gateway in miniature: each request goes over `channel` when it takes it, with the caller's token
 * (or `token`) and the edge's vouch for it, as the front door sends them; 599 when it does not.
 */
async function frontOf(channel: ServiceChannel, token = () => caller.token): Promise<{ server: Server; base: string }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const hasBody = request.headers['content-length'] !== undefined;
    const take = () => {
      if (!channel.takes(request, hasBody)) {
        response.writeHead(599).end();
        return;
      }
      channel.forward(
        {
          url: request.url ?? '/',
          method: request.method ?? 'GET',
          headers: request.headers,
          raw: request,
          body: hasBody ? request : undefined,
        },
        response,
        {
          headers: {
            'x-request-id': 'req-1',
            authorization: `Bearer ${token()}`,
            'x-necp-edge-vouch': vouch.sign(token()),
          },
          dropped: new Set(),
          answerHeaders: () => ({ 'x-gateway': 'kept', 'x-service': 'gateway' }),
          onError(error) {
            response.writeHead(classifyUpstreamError(error).status).end(error.message);
          },
        },
      );
    };
    // A body is taken once it is whole (parsed, not read), as the gateway's front door does after its checks.
    const whenWhole = () => (!hasBody || request.complete ? take() : setImmediate(whenWhole));
    whenWhole();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

/** Until `channel` is connected (it connects on the first request it cannot take). */
async function untilTaken(base: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await fetch(`${base}/api/v1/economy/delay/0/0`)).status === 599) {
    if (Date.now() > deadline) throw new Error('the channel did not connect');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A TCP relay to `port` whose connections the test can cut. */
async function relayTo(port: number): Promise<{ server: TcpServer; port: number; cut(): void }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : 0,
    cut: () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}

const close = (server: Server | TcpServer) => new Promise((resolve) => server.close(resolve));

describe('the gateway’s channel to a service', () => {
  let runtime: Runtime;
  let economy: RunningService;
  let issuer: TestIssuer;
  let port: number;
  let upgrades = 0;
  const logger = { info() {}, warn() {} } as never;

  before(async () => {
    port = await freePort();
    issuer = await startTestIssuer();
    caller.token = await issuer.token({ accountId: caller.accountId });
    runtime = await createRuntime(
      testConfig({
        EDGE_VOUCH_KEY: key,
        OIDC_ISSUER: issuer.issuer,
        REDIS_KEY_PREFIX: `channel-test-${randomUUID()}:`,
      }),
      'channel-test',
    );
    economy = await startService(echoEconomy, runtime, { host: '127.0.0.1', port });
    economy.http.app.server.on('upgrade', () => {
      upgrades += 1;
    });
  });
  after(async () => {
    await economy.stop();
    await runtime.close();
    await issuer.close();
  });

  it('carries several requests at once on one connection, each with its own answer, the caller and the gateway’s headers', async () => {
    const channel = new ServiceChannel({ origin: `http://127.0.0.1:${port}`, key, timeoutMs: 5_000, logger });
    const front = await frontOf(channel);
    try {
      const before = upgrades;
      await untilTaken(front.base);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, n) => fetch(`${front.base}/api/v1/economy/delay/${(20 - n) * 10}/${n}`)),
      );
      for (const [n, answer] of answers.entries()) {
        assert.equal(answer.status, 200);
        assert.equal(answer.headers.get('x-gateway'), 'kept');
        assert.deepEqual(await answer.json(), { n, accountId: caller.accountId });
      }
      assert.equal(upgrades - before, 1, 'one connection carried every request');

      const posted = await fetch(`${front.base}/api/v1/economy/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 7 }),
      });
      assert.equal(posted.status, 200);
      assert.equal(posted.headers.get('x-service'), 'set', 'the service’s own header wins over the gateway’s');
      assert.deepEqual(await posted.json(), { received: { amount: 7 }, requestId: 'req-1' });

      const large = await fetch(`${front.base}/api/v1/economy/large`);
      assert.equal(((await large.json()) as { large: string }).large.length, Large.length);
    } finally {
      await channel.close();
      await close(front.server);
    }
  });

  it('vouches for no caller: a token that does not verify is refused on the channel as over HTTP', async () => {
    const foreign = await startTestIssuer();
    const forged = await foreign.token({ accountId: caller.accountId });
    const channel = new ServiceChannel({ origin: `http://127.0.0.1:${port}`, key, timeoutMs: 5_000, logger });
    const front = await frontOf(channel, () => forged);
    try {
      const before = upgrades;
      await untilTaken(front.base);
      const answer = await fetch(`${front.base}/api/v1/economy/delay/0/1`);
      assert.equal(answer.status, 401);
      assert.equal(answer.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal(upgrades - before, 1, 'the refusal came over the channel');
    } finally {
      await channel.close();
      await close(front.server);
      await foreign.close();
    }
  });

  it('fails only the requests of a connection that broke, and connects again', async () => {
    const [relayA, relayB] = [await relayTo(port), await relayTo(port)];
    const channelA = new ServiceChannel({ origin: `http://127.0.0.1:${relayA.port}`, key, timeoutMs: 5_000, logger });
    const channelB = new ServiceChannel({ origin: `http://127.0.0.1:${relayB.port}`, key, timeoutMs: 5_000, logger });
    const [frontA, frontB] = [await frontOf(channelA), await frontOf(channelB)];
    try {
      await untilTaken(frontA.base);
      await untilTaken(frontB.base);
      const onA = Array.from({ length: 5 }, (_, n) => fetch(`${frontA.base}/api/v1/economy/delay/500/${n}`));
      const onB = Array.from({ length: 5 }, (_, n) => fetch(`${frontB.base}/api/v1/economy/delay/500/${n}`));
      await new Promise((resolve) => setTimeout(resolve, 100));
      relayA.cut();
      for (const answer of await Promise.all(onA)) assert.equal(answer.status, 503);
      for (const answer of await Promise.all(onB)) assert.equal(answer.status, 200);
      await untilTaken(frontA.base);
      const again = await fetch(`${frontA.base}/api/v1/economy/delay/0/9`);
      assert.deepEqual(await again.json(), { n: 9, accountId: caller.accountId });
    } finally {
      await Promise.all([channelA.close(), channelB.close()]);
      await Promise.all([close(frontA.server), close(frontB.server), close(relayA.server), close(relayB.server)]);
    }
  });

  /** A channel opened by hand: the frames the service sends back before it closes the connection. */
  async function rawChannel(proofKey: string): Promise<{ kinds: number[]; closed: boolean }> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const upgrade = httpRequest({
        host: '127.0.0.1',
        port,
        headers: { connection: 'Upgrade', upgrade: ChannelUpgrade },
      });
      upgrade.on('upgrade', (answer, upgraded: Socket) => {
        const challenge = String(answer.headers[ChannelChallengeHeader]);
        upgraded.write(encodeFrame(0, FrameKind.proof, channelProof(proofKey, challenge)));
        resolve(upgraded);
      });
      upgrade.on('error', reject);
      upgrade.end();
    });
    const kinds: number[] = [];
    const reader = new FrameReader((_stream, kind) => kinds.push(kind));
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.write(
      encodeRequest(
        1,
        {
          method: 'GET',
          url: '/api/v1/economy/delay/0/1',
          headers: { authorization: `Bearer ${caller.token}` },
          answerHeaders: {},
        },
        undefined,
      ),
    );
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ kinds, closed: false });
      }, 1_000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ kinds, closed: true });
      });
      socket.on('error', () => {});
    });
  }

  it('cuts a connection that does not prove the key, and answers one that does', async () => {
    const refused = await rawChannel('another key of 32 characters or more');
    assert.deepEqual(refused, { kinds: [], closed: true });
    const accepted = await rawChannel(key);
    assert.deepEqual(accepted.kinds, [FrameKind.head, FrameKind.data, FrameKind.end]);
  });

  it('leaves a service without the channel to HTTP', async () => {
    let asked = 0;
    const older = createServer((request, response) => {
      if (request.headers.upgrade) asked += 1;
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => older.listen(0, '127.0.0.1', resolve));
    const address = older.address();
    const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const channel = new ServiceChannel({ origin, key, timeoutMs: 5_000, logger });
    const front = await frontOf(channel);
    try {
      assert.equal((await fetch(`${front.base}/x`)).status, 599);
      const deadline = Date.now() + 5_000;
      while (asked === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      for (let each = 0; each < 5; each += 1) assert.equal((await fetch(`${front.base}/x`)).status, 599);
      assert.equal(asked, 1, 'asked once, not at every request');
    } finally {
      await channel.close();
      await Promise.all([close(front.server), close(older)]);
    }
  });

  it('answers 504 for a service that does not answer in time', async () => {
    const channel = new ServiceChannel({ origin: `http://127.0.0.1:${port}`, key, timeoutMs: 300, logger });
    const front = await frontOf(channel);
    try {
      await untilTaken(front.base);
      assert.equal((await fetch(`${front.base}/api/v1/economy/silent`)).status, 504);
      assert.equal((await fetch(`${front.base}/api/v1/economy/delay/0/3`)).status, 200);
    } finally {
      await channel.close();
      await close(front.server);
    }
  });

  it('a service stopping answers the requests it took; once it is back, the channel connects again', async () => {
    const channel = new ServiceChannel({ origin: `http://127.0.0.1:${port}`, key, timeoutMs: 5_000, logger });
    const front = await frontOf(channel);
    try {
      await untilTaken(front.base);
      const inFlight = fetch(`${front.base}/api/v1/economy/delay/300/4`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await economy.stop();
      const answer = await inFlight;
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { n: 4, accountId: caller.accountId });
      economy = await startService(echoEconomy, runtime, { host: '127.0.0.1', port });
      await untilTaken(front.base);
      assert.equal((await fetch(`${front.base}/api/v1/economy/delay/0/5`)).status, 200);
    } finally {
      await channel.close();
      await close(front.server);
    }
  });
});
