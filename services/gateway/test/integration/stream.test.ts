import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRuntime, type RunningService, type Runtime, startService } from '@necp/platform';
import { startTestIssuer, type TestIssuer, testConfig } from '@necp/platform/testing';
import WebSocket from 'ws';
import { gatewayService } from '../../src/service.ts';
import {
  type ConnectOptions,
  connectStream,
  publishEvent,
  type StreamClient,
  unrestUpdate,
} from '../support/stream-client.ts';

const bus = process.env.KAFKA_BROKERS ? 'Kafka' : 'the in-process bus';

/** A player: an account, a session, a token and a character of its own. */
interface Player {
  accountId: string;
  sessionId: string;
  characterId: string;
  token: string;
}

describe(`the realtime stream (${bus})`, () => {
  let issuer: TestIssuer;
  let runtime: Runtime;
  let gateway: RunningService;
  let replica: RunningService;
  let base: string;

  const player = async (): Promise<Player> => {
    const accountId = randomUUID();
    const sessionId = randomUUID();
    const characterId = randomUUID();
    issuer.remoteOwners.set(characterId, accountId);
    const token = await issuer.token({ accountId, sessionId, roles: ['player'] });
    return { accountId, sessionId, characterId, token };
  };
  const connect = (who: Player, options?: ConnectOptions, at = base) => connectStream(at, who.token, options);
  const ready = (client: StreamClient) => client.waitFor((message) => message.control === 'ready');
  const eventIds = (client: StreamClient) => client.events().map((message) => message.event?.eventId);
  /** On Kafka the topics' partitions are consumed side by side: order holds per key, not across topics. */
  const sameEvents = (client: StreamClient, expected: string[]) =>
    assert.deepEqual(eventIds(client).toSorted(), expected.toSorted());

  before(async () => {
    issuer = await startTestIssuer();
    const config = testConfig({
      OIDC_ISSUER: issuer.issuer,
      AUTH_URL: issuer.url,
      CHARACTER_URL: issuer.url,
      GATEWAY_CLIENT_SECRET: randomUUID() + randomUUID(),
      REDIS_KEY_PREFIX: `stream-test-${randomUUID()}:`,
      STREAM_REPLAY_MAX_EVENTS: '50',
      // Far above what a reading client ever leaves unsent here; a client that stops reading passes it.
      STREAM_SEND_BUFFER_MAX_BYTES: '65536',
      STREAM_CLOSE_GRACE_MS: '3000',
    });
    runtime = await createRuntime(config, 'stream-test');
    gateway = await startService(gatewayService, runtime, { host: '127.0.0.1', port: 0 });
    // A second replica on the same bus: each has its own consumer group, so each sees every event.
    replica = await startService(gatewayService, runtime, { host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${gateway.port}`;
  });
  after(async () => {
    await replica.stop();
    await gateway.stop();
    await runtime.close();
    await issuer.close();
  });

  it('refuses an upgrade without a valid token with a 401 problem, and a plain GET with 400', async () => {
    // Refused before the upgrade, and the connection closed after the answer (it holds no socket open).
    const raw = connectTcp(gateway.port, '127.0.0.1');
    raw.write(
      'GET /api/v1/stream HTTP/1.1\r\nHost: gateway\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    let answer = '';
    raw.on('data', (chunk: Buffer) => {
      answer += chunk;
    });
    await new Promise((resolve) => raw.once('close', resolve));
    assert.match(answer, /^HTTP\/1.1 401 /);
    assert.match(answer, /"code":"UNAUTHENTICATED"/);
    await assert.rejects(connectStream(base, 'not.a.token'), (error: { status?: number; body?: string }) => {
      assert.equal(error.status, 401);
      assert.match(String(error.body), /UNAUTHENTICATED/);
      return true;
    });
    const me = await player();
    const plain = await fetch(`${base}/api/v1/stream`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(plain.status, 400);
    assert.match(plain.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  it('refuses a revoked session (401) and a banned account (403) before the upgrade', async () => {
    const revoked = await player();
    const banned = await player();
    await gateway.context.authenticator.denyList.revokeSession(revoked.sessionId);
    await gateway.context.authenticator.denyList.banAccount(banned.accountId);
    await assert.rejects(connect(revoked), (error: { status?: number }) => error.status === 401);
    await assert.rejects(connect(banned), (error: { status?: number }) => error.status === 403);
  });

  it('takes the token from the subprotocol, the query or the Authorization header, and answers necp.stream.v1', async () => {
    const me = await player();
    for (const via of ['protocol', 'query', 'header'] as const) {
      const client = await connect(me, { via });
      assert.equal(client.socket.protocol, 'necp.stream.v1');
      const hello = await ready(client);
      assert.equal(hello.seq, 1);
      assert.equal(hello.replay, 'none');
      await client.close();
    }
  });

  it("sends world updates to every socket and each account only its own characters' events", async () => {
    const alice = await player();
    const bob = await player();
    const a = await connect(alice);
    const b = await connect(bob);
    await Promise.all([ready(a), ready(b)]);

    const world = await publishEvent(runtime.bus, 'world.unrest.updates', 'watson', unrestUpdate('watson'));
    const scenario = await publishEvent(runtime.bus, 'world.scenarios', 'heywood', {
      scenarioId: randomUUID(),
      districtId: 'heywood',
      kind: 'riot',
      status: 'started',
    });
    const craft = (characterId: string) =>
      publishEvent(runtime.bus, 'economy.crafting.jobs', randomUUID(), {
        jobId: randomUUID(),
        characterId,
        blueprintId: 'smart_scope_mk1',
        status: 'queued',
        progressPercent: 0,
        eta: null,
        materialsConsumed: {},
        outputTemplateId: 'scope_smart_mk1',
        quantity: 1,
        linkedOrderId: null,
        workshopId: 'street_garage',
      });
    const aliceCraft = await craft(alice.characterId);
    const bobCooldown = await publishEvent(runtime.bus, 'player.skills.cooldowns', bob.characterId, {
      characterId: bob.characterId,
      skillId: 'hacking',
      cooldownEndsAt: new Date().toISOString(),
    });
    const bobCurved = await publishEvent(runtime.bus, 'combat.abilities.curved', bob.characterId, {
      characterId: bob.characterId,
      weaponId: 'pistol',
      bendAngle: 12,
      cooldownEndsAt: new Date().toISOString(),
    });
    // An order of Alice's that Bob is hired for: both see it, and its escrow, which names only the order.
    const orderId = randomUUID();
    const order = (fromStatus: string | null, toStatus: string, executor: string | null) =>
      publishEvent(runtime.bus, 'social.orders.lifecycle', orderId, {
        orderId,
        fromStatus,
        toStatus,
        actorId: alice.accountId,
        customerCharacterId: alice.characterId,
        executorCharacterId: executor,
        orderType: 'combat',
        districtId: 'watson',
        reward: 100,
      });
    const published = await order('draft', 'published', null);
    // The escrow's audience comes from the order's event: this gateway must have seen it first.
    await a.waitFor((message) => message.event?.eventId === published);
    const escrow = await publishEvent(runtime.bus, 'economy.escrow.events', orderId, {
      orderId,
      status: 'held',
      amount: 105,
      commission: 5,
      executorAmount: 0,
      refundAmount: 0,
    });
    const accepted = await order('published', 'accepted', bob.characterId);
    // Nobody's: a character no account owns, and an escrow of an order this gateway never saw.
    await craft(randomUUID());
    await publishEvent(runtime.bus, 'economy.escrow.events', randomUUID(), {
      orderId: randomUUID(),
      status: 'held',
      amount: 1,
      commission: 0,
      executorAmount: 0,
      refundAmount: 0,
    });
    const last = await publishEvent(runtime.bus, 'world.unrest.updates', 'westbrook', unrestUpdate('westbrook'));

    const expected = new Map([
      [a, [world, scenario, aliceCraft, published, escrow, accepted, last]],
      [b, [world, scenario, bobCooldown, bobCurved, accepted, last]],
    ]);
    for (const [client, ids] of expected) {
      for (const id of ids) await client.waitFor((message) => message.event?.eventId === id);
    }
    sameEvents(a, expected.get(a) ?? []);
    sameEvents(b, expected.get(b) ?? []);
    // Every message carries the connection's next sequence number, the greeting's included.
    for (const client of [a, b]) {
      assert.deepEqual(
        client.messages.map((message) => message.seq),
        client.messages.map((_message, index) => index + 1),
      );
    }
    const first = a.events().find((message) => message.event?.eventId === world);
    assert.equal(first?.topic, 'world.unrest.updates');
    assert.equal(first?.event?.payload.districtId, 'watson');
    await Promise.all([a.close(), b.close()]);
  });

  it('narrows world updates to the districts a client subscribes to', async () => {
    const me = await player();
    // One key for every update here: one partition on Kafka, so each is consumed after the ones before
    // it, and an update seen proves that the filtered ones published before it were passed over.
    const update = (districtId: string) =>
      publishEvent(runtime.bus, 'world.unrest.updates', 'narrowing', unrestUpdate(districtId));
    const client = await connect(me, { query: { districts: 'heywood' } });
    assert.deepEqual((await ready(client)).districts, ['heywood']);
    await update('watson');
    const heywood = await update('heywood');
    await client.waitFor((message) => message.event?.eventId === heywood);
    client.send({ type: 'subscribe', districts: ['watson'] });
    await client.waitFor((message) => message.control === 'subscribed');
    await update('heywood');
    const watson = await update('watson');
    await client.waitFor((message) => message.event?.eventId === watson);
    client.send({ type: 'subscribe', districts: null });
    await client.waitFor((message) => message.control === 'subscribed' && message.districts === null);
    const any = await update('westbrook');
    await client.waitFor((message) => message.event?.eventId === any);
    // Two districts: the updates of each, once.
    client.send({ type: 'subscribe', districts: ['heywood', 'watson'] });
    await client.waitFor(
      (message) =>
        message.control === 'subscribed' && Array.isArray(message.districts) && message.districts.length === 2,
    );
    const both = [await update('heywood'), await update('westbrook'), await update('watson')];
    await client.waitFor((message) => message.event?.eventId === both[2]);
    sameEvents(client, [heywood, watson, any, both[0] as string, both[2] as string]);
    client.send({ type: 'subscribe', districts: 'all' });
    const refusal = await client.waitFor((message) => message.control === 'error');
    assert.match(String(refusal.detail), /subscribe/);
    await client.close();
  });

  it('replays to a reconnecting client what it missed since an event id, only what is its own', async () => {
    const me = await player();
    const other = await player();
    // Sockets that stay: once they have seen the events, the gateway has taken them in (on Kafka the
    // topics are consumed side by side, a moment after publication).
    const mine = await connect(me);
    const theirs = await connect(other);
    const first = await connect(me);
    await Promise.all([mine, theirs, first].map(ready));
    const seen = await publishEvent(runtime.bus, 'world.unrest.updates', 'watson', unrestUpdate('watson'));
    await first.waitFor((message) => message.event?.eventId === seen);
    await first.close();

    const missedWorld = await publishEvent(runtime.bus, 'world.unrest.updates', 'heywood', unrestUpdate('heywood'));
    const notMine = await publishEvent(runtime.bus, 'player.skills.cooldowns', other.characterId, {
      characterId: other.characterId,
      skillId: 'hacking',
      cooldownEndsAt: new Date().toISOString(),
    });
    const missedMine = await publishEvent(runtime.bus, 'player.skills.cooldowns', me.characterId, {
      characterId: me.characterId,
      skillId: 'hacking',
      cooldownEndsAt: new Date().toISOString(),
    });
    const marker = await publishEvent(runtime.bus, 'world.unrest.updates', 'watson', unrestUpdate('watson'));
    for (const id of [missedWorld, missedMine, marker]) await mine.waitFor((message) => message.event?.eventId === id);
    await theirs.waitFor((message) => message.event?.eventId === notMine);
    await Promise.all([mine.close(), theirs.close()]);

    const again = await connect(me, { query: { since: seen } });
    const hello = await ready(again);
    assert.equal(hello.replay, 'complete');
    assert.equal(hello.replayed, 3);
    await again.waitFor(() => again.events().length === 3);
    sameEvents(again, [missedWorld, missedMine, marker]);
    assert.deepEqual(
      again.messages.map((message) => message.seq),
      [1, 2, 3, 4],
    );
    await again.close();

    const narrowed = await connect(me, { query: { since: seen, districts: 'watson' } });
    assert.equal((await ready(narrowed)).replayed, 2);
    await narrowed.waitFor(() => narrowed.events().length === 2);
    sameEvents(narrowed, [missedMine, marker]);
    await narrowed.close();

    const lost = await connect(me, { query: { since: randomUUID() } });
    const gap = await ready(lost);
    assert.equal(gap.replay, 'gap');
    assert.equal(gap.replayed, 0);
    await lost.close();
  });

  it("closes a socket when its session is revoked or its account banned, and leaves the others' open", async () => {
    const revoked = await player();
    const banned = await player();
    const bystander = await player();
    const [r, b, x] = await Promise.all([connect(revoked), connect(banned), connect(bystander)]);
    await Promise.all([r, b, x].map(ready));
    await publishEvent(runtime.bus, 'auth.session.revoked', revoked.accountId, {
      accountId: revoked.accountId,
      sessionId: revoked.sessionId,
    });
    await publishEvent(runtime.bus, 'auth.account.banned', banned.accountId, {
      accountId: banned.accountId,
      reason: 'cheating',
      until: null,
    });
    assert.deepEqual(await r.closed, { code: 4002, reason: 'the session was ended' });
    assert.deepEqual(await b.closed, { code: 4003, reason: 'the account is banned' });
    const after = await publishEvent(runtime.bus, 'world.unrest.updates', 'watson', unrestUpdate('watson'));
    await x.waitFor((message) => message.event?.eventId === after);
    assert.equal(x.socket.readyState, WebSocket.OPEN);
    await x.close();
  });

  it('closes a socket when its access token expires', async () => {
    const accountId = randomUUID();
    const token = await issuer.token({ accountId, expiresInSeconds: 1 });
    const client = await connectStream(base, token);
    await ready(client);
    assert.deepEqual(await client.closed, {
      code: 4001,
      reason: 'the access token expired; reconnect with a fresh one',
    });
  });

  it('delivers every event once on every replica', async () => {
    const me = await player();
    const here = await connect(me);
    const there = await connect(me, {}, `http://127.0.0.1:${replica.port}`);
    await Promise.all([ready(here), ready(there)]);
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push(await publishEvent(runtime.bus, 'world.unrest.updates', 'watson', unrestUpdate('watson')));
    }
    for (const client of [here, there]) {
      // One key: in publish order on either bus.
      await client.waitFor((message) => message.event?.eventId === ids.at(-1));
      assert.deepEqual(eventIds(client), ids);
      // Events that arrive together are written together, each still with the next sequence number.
      assert.deepEqual(
        client.messages.map((message) => message.seq),
        client.messages.map((_, index) => index + 1),
      );
    }
    await Promise.all([here.close(), there.close()]);
  });

  it('closes a client that stops reading once its send buffer passes the bound, with the reason', async () => {
    const me = await player();
    const slow = await connect(me);
    await ready(slow);
    slow.socket.pause();
    const endedSlow = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(/gateway_stream_ended_total\{[^}]*reason="slowClient"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await endedSlow();
    // 16 KiB events, a batch at a time, until the gateway says it ended a slow client: the kernel's
    // buffers fill first, then the socket's own, then the bound is passed.
    const bulky = ['x'.repeat(16_384)];
    let published = 0;
    while ((await endedSlow()) === before) {
      assert.ok(published < 200_000, 'the gateway never ended the client that stopped reading');
      for (let index = 0; index < 20; index++) {
        await publishEvent(runtime.bus, 'world.unrest.updates', 'watson', unrestUpdate('watson', bulky));
      }
      published += 20;
    }
    slow.socket.resume();
    assert.deepEqual(await slow.closed, { code: 4008, reason: 'slow client: the send buffer passed its bound' });
    assert.ok(slow.events().length < published, 'what was over the bound was never sent');
  });
});

describe(`the realtime stream's keep-alive (${bus})`, () => {
  let issuer: TestIssuer;
  let runtime: Runtime;
  let gateway: RunningService;
  let base: string;

  before(async () => {
    issuer = await startTestIssuer();
    runtime = await createRuntime(
      testConfig({
        OIDC_ISSUER: issuer.issuer,
        AUTH_URL: issuer.url,
        CHARACTER_URL: issuer.url,
        REDIS_KEY_PREFIX: `stream-test-${randomUUID()}:`,
        STREAM_PING_INTERVAL_MS: '100',
      }),
      'stream-keepalive-test',
    );
    gateway = await startService(gatewayService, runtime, { host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${gateway.port}`;
  });
  after(async () => {
    await gateway.stop();
    await runtime.close();
    await issuer.close();
  });

  it('keeps a socket that answers pings, and cuts one that does not', async () => {
    const token = await issuer.token({ accountId: randomUUID() });
    const answering = await connectStream(base, token);
    const silent = await connectStream(base, token, { socket: { autoPong: false } });
    await Promise.all([answering, silent].map((client) => client.waitFor((message) => message.control === 'ready')));
    let pings = 0;
    answering.socket.on('ping', () => {
      pings += 1;
    });
    const cut = await silent.closed;
    assert.equal(cut.code, 1006, 'cut without a close handshake');
    // The interval is 100 ms: the silent socket went after two pings; the answering one stays for more.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (pings >= 4) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    assert.equal(answering.socket.readyState, WebSocket.OPEN);
    await answering.close();
  });
});
