import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { TopicPayload } from '@necp/contracts';
import type { FastifyRequest } from 'fastify';
import { ReplayWindow } from '../../src/domain/replay-window.ts';
import { audienceOf, inDistricts, learnParties } from '../../src/domain/stream-audience.ts';
import { chooseProtocol, liftStreamToken } from '../../src/routes/stream.ts';

const entry = (at: number) => ({ eventId: randomUUID(), at });

describe('the replay window', () => {
  it('replays what came after an event id, oldest first', () => {
    const window = new ReplayWindow(10, 60_000);
    const [first, second, third, fourth] = [entry(0), entry(1), entry(2), entry(3)];
    for (const each of [first, second, third, fourth]) window.push(each);
    assert.deepEqual(window.since(second.eventId, 10), { kind: 'events', events: [third, fourth] });
    assert.deepEqual(window.since(fourth.eventId.toUpperCase(), 10), { kind: 'events', events: [] });
  });

  it('keeps at most its count, the oldest going first', () => {
    const window = new ReplayWindow(3, 60_000);
    const entries = [entry(0), entry(1), entry(2), entry(3), entry(4)];
    for (const each of entries) window.push(each);
    assert.equal(window.size, 3);
    assert.deepEqual(window.since(entries[1]?.eventId as string, 5), { kind: 'gap' });
    assert.deepEqual(window.since(entries[2]?.eventId as string, 5), { kind: 'events', events: entries.slice(3) });
  });

  it('forgets what is older than its age', () => {
    const window = new ReplayWindow(10, 1_000);
    const old = entry(0);
    const recent = entry(900);
    window.push(old);
    window.push(recent);
    assert.equal(window.since(old.eventId, 1_000).kind, 'events');
    assert.deepEqual(window.since(old.eventId, 1_001), { kind: 'gap' });
    assert.deepEqual(window.since(recent.eventId, 1_001), { kind: 'events', events: [] });
  });

  it('keeps nothing with a count of zero', () => {
    const window = new ReplayWindow(0, 1_000);
    const only = entry(0);
    window.push(only);
    assert.deepEqual(window.since(only.eventId, 0), { kind: 'gap' });
  });
});

describe("the stream's audiences", () => {
  const customer = randomUUID();
  const executor = randomUUID();
  const applicant = randomUUID();
  const orderEvent = (
    actorId: string,
    executorCharacterId: string | null,
  ): TopicPayload<'social.orders.lifecycle'> => ({
    orderId: randomUUID(),
    fromStatus: 'published',
    toStatus: 'published',
    actorId,
    customerCharacterId: customer,
    executorCharacterId,
    orderType: 'combat',
    districtId: 'watson',
    reward: 100,
  });

  it('sends world events to all, with their district', () => {
    const payload = { scenarioId: randomUUID(), districtId: 'heywood', kind: 'riot', status: 'started' as const };
    assert.deepEqual(audienceOf('world.scenarios', payload, undefined), { kind: 'world', districtId: 'heywood' });
    assert.equal(inDistricts(null, 'heywood'), true);
    assert.equal(inDistricts(new Set(['watson']), 'heywood'), false);
  });

  it("sends an order's events to its customer, executor, actor and earlier applicants", () => {
    const applied = learnParties(undefined, orderEvent(applicant, null), true);
    assert.deepEqual([...applied.actors], [applicant]);
    const accepted = orderEvent(customer, executor);
    assert.deepEqual(audienceOf('social.orders.lifecycle', accepted, applied), {
      kind: 'characters',
      characterIds: [customer, executor, applicant],
    });
    const afterAccept = learnParties(applied, accepted, true);
    assert.equal(afterAccept.executor, executor);
    // An actor that is no character (an account, a service) is not remembered.
    assert.deepEqual([...learnParties(undefined, orderEvent(randomUUID(), null), false).actors], []);
  });

  it("sends an escrow's events to its order's customer and executor only, and nowhere for an unknown order", () => {
    const escrow = {
      orderId: randomUUID(),
      status: 'held',
      amount: 105,
      commission: 5,
      executorAmount: 0,
      refundAmount: 0,
    };
    const parties = { customer, executor, actors: new Set([applicant]) };
    assert.deepEqual(audienceOf('economy.escrow.events', escrow, parties), {
      kind: 'characters',
      characterIds: [customer, executor],
    });
    assert.deepEqual(audienceOf('economy.escrow.events', escrow, undefined), { kind: 'characters', characterIds: [] });
  });

  it("sends a character's own events to that character", () => {
    const characterId = randomUUID();
    const cooldown = { characterId, skillId: 'hacking', cooldownEndsAt: new Date().toISOString() };
    assert.deepEqual(audienceOf('player.skills.cooldowns', cooldown, undefined), {
      kind: 'characters',
      characterIds: [characterId],
    });
  });
});

describe("the stream's token and subprotocol", () => {
  const request = (url: string, headers: Record<string, string>) => ({ url, headers }) as unknown as FastifyRequest;

  it('takes the token from a bearer subprotocol, else the query, for the stream only', () => {
    const viaProtocol = request('/api/v1/stream?access_token=query-token', {
      'sec-websocket-protocol': 'necp.stream.v1, bearer.protocol-token',
    });
    liftStreamToken(viaProtocol);
    assert.equal(viaProtocol.headers.authorization, 'Bearer protocol-token');
    const viaQuery = request('/api/v1/stream?since=x&access_token=query-token', {});
    liftStreamToken(viaQuery);
    assert.equal(viaQuery.headers.authorization, 'Bearer query-token');
    const elsewhere = request('/api/v1/economy/wallets?access_token=query-token', {});
    liftStreamToken(elsewhere);
    assert.equal(elsewhere.headers.authorization, undefined);
    const header = request('/api/v1/stream?access_token=query-token', { authorization: 'Bearer header-token' });
    liftStreamToken(header);
    assert.equal(header.headers.authorization, 'Bearer header-token');
  });

  it('answers necp.stream.v1, never the token offered beside it', () => {
    assert.equal(chooseProtocol(new Set(['bearer.secret', 'necp.stream.v1'])), 'necp.stream.v1');
    assert.equal(chooseProtocol(new Set(['bearer.secret'])), false);
  });
});
