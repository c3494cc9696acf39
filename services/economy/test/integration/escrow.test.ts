import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { type Economy, startEconomy } from '../support/harness.ts';

describe(`economy escrow on ${adapterLabel}`, () => {
  let economy: Economy;
  let admin: string;
  let service: string;
  before(async () => {
    economy = await startEconomy();
    admin = await economy.adminToken();
    service = await economy.issuer.token('service:social', ['service']);
  });
  afterEach(() => economy.assertAuditBalanced());
  after(() => economy.close());

  const eddies = async (characterId: string) => {
    const wallet = await economy.call('GET', `/api/v1/economy/wallets/${characterId}`, admin);
    const { available, held } = wallet.body.balances.find((entry: { asset: string }) => entry.asset === 'EDD');
    return { available, held };
  };
  const escrowEvents = async (orderId: string) => {
    const rows = await sql<{ status: string }>`
      SELECT payload->'payload'->>'status' AS status FROM mvp_meta.outbox
      WHERE aggregatetype = 'economy.escrow.events' AND aggregateid = ${orderId} ORDER BY seq`.execute(
      economy.db.kysely,
    );
    return rows.rows.map((row) => row.status);
  };
  const lock = (token: string, orderId: string, payer: string, amount = 500, commission = 25) =>
    economy.call('POST', '/api/v1/economy/escrows', token, { orderId, payerCharacterId: payer, amount, commission });
  const orderEvent = (
    orderId: string,
    customer: string,
    executor: string | null,
    fromStatus: string,
    toStatus: string,
    extra: { executorSharePercent?: number } = {},
  ) => ({
    orderId,
    fromStatus,
    toStatus,
    actorId: randomUUID(),
    customerCharacterId: customer,
    executorCharacterId: executor,
    orderType: 'combat',
    districtId: 'watson',
    reward: 500,
    ...extra,
  });

  it('locks reward and commission as a hold, once per order', async () => {
    const customer = await economy.player();
    const orderId = randomUUID();
    const first = await lock(service, orderId, customer.characterId);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.status, 'locked');
    const again = await lock(service, orderId, customer.characterId);
    assert.equal(again.status, 201);
    assert.equal(again.body.createdAt, first.body.createdAt);
    assert.deepEqual(await eddies(customer.characterId), { available: 475, held: 525 });
    assert.equal((await lock(service, orderId, customer.characterId, 600)).body.code, 'CONFLICT');
    const brokeOrder = randomUUID();
    const broke = await lock(service, brokeOrder, customer.characterId, 476, 0);
    assert.equal(broke.status, 422);
    assert.equal(broke.body.code, 'INSUFFICIENT_FUNDS');
    assert.equal(broke.body.available, 475);
    // The lock is one statement without a transaction around it: a refusal leaves nothing, not even
    // the order's escrow account.
    const opened = await sql<{ n: string }>`
      SELECT count(*) AS n FROM mvp_core.ledger_accounts WHERE kind = 'escrow' AND owner_id = ${brokeOrder}`.execute(
      economy.db.kysely,
    );
    assert.equal(Number(opened.rows[0]?.n), 0);
    const stranger = await economy.player();
    assert.equal((await lock(stranger.token, randomUUID(), customer.characterId)).status, 403);
    // A player's own lock needs an order social knows with the player as customer; this stand-in knows none.
    const unknown = await lock(customer.token, randomUUID(), customer.characterId);
    assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
    assert.match(unknown.body.detail, /knows no order/);
    assert.equal((await economy.call('GET', `/api/v1/economy/escrows/${orderId}`, stranger.token)).status, 403);
    const seen = await economy.call('GET', `/api/v1/economy/escrows/${orderId}`, customer.token);
    assert.equal(seen.body.history.length, 1);
    assert.deepEqual(await escrowEvents(orderId), ['locked']);
  });

  it('releases to the executor with the commission to the house, exactly once', async () => {
    const customer = await economy.player();
    const executor = await economy.player();
    const orderId = randomUUID();
    await lock(service, orderId, customer.characterId);
    const toNobody = await economy.call('POST', `/api/v1/economy/escrows/${orderId}/release`, service, {
      executorCharacterId: randomUUID(),
    });
    assert.equal(toNobody.status, 404, JSON.stringify(toNobody.body));
    assert.deepEqual(await eddies(customer.characterId), { available: 475, held: 525 });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        economy.call('POST', `/api/v1/economy/escrows/${orderId}/release`, service, {
          executorCharacterId: executor.characterId,
        }),
      ),
    );
    assert.ok(answers.every((answer) => answer.status === 200 && answer.body.status === 'released'));
    assert.deepEqual(await eddies(customer.characterId), { available: 475, held: 0 });
    assert.deepEqual(await eddies(executor.characterId), { available: 1500, held: 0 });
    const refund = await economy.call('POST', `/api/v1/economy/escrows/${orderId}/refund`, service, {});
    assert.equal(refund.status, 409);
    assert.equal(refund.body.code, 'INVALID_STATE');
    const player = await economy.call('POST', `/api/v1/economy/escrows/${orderId}/release`, customer.token, {
      executorCharacterId: customer.characterId,
    });
    assert.equal(player.status, 403);
    assert.deepEqual(await escrowEvents(orderId), ['locked', 'released']);
  });

  it('settles from social.orders.lifecycle once under duplicate and redelivered events', async () => {
    const customer = await economy.player();
    const executor = await economy.player();
    const orderId = randomUUID();
    await lock(service, orderId, customer.characterId);
    const completed = orderEvent(orderId, customer.characterId, executor.characterId, 'delivered', 'completed');
    const eventId = randomUUID();
    await economy.deliver('social.orders.lifecycle', orderId, completed, eventId);
    await economy.deliver('social.orders.lifecycle', orderId, completed, eventId);
    await Promise.all([
      economy.deliver('social.orders.lifecycle', orderId, completed),
      economy.deliver('social.orders.lifecycle', orderId, completed),
    ]);
    const api = await economy.call('POST', `/api/v1/economy/escrows/${orderId}/release`, service, {
      executorCharacterId: executor.characterId,
    });
    assert.equal(api.status, 200);
    assert.deepEqual(await eddies(executor.characterId), { available: 1500, held: 0 });
    assert.deepEqual(await escrowEvents(orderId), ['locked', 'released']);
    const escrow = await economy.call('GET', `/api/v1/economy/escrows/${orderId}`, executor.token);
    assert.equal(escrow.status, 200);
    assert.equal(escrow.body.history.at(-1).source.startsWith('event:'), true);
  });

  it('claims an order end in the statement that settles it, and claims nothing for an event that settles nothing', async () => {
    const customer = await economy.player();
    const executor = await economy.player();
    const orderId = randomUUID();
    await lock(service, orderId, customer.characterId);
    const claimed = async (eventId: string) => {
      const rows = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM mvp_meta.processed_events
        WHERE consumer_group = 'economy.orders' AND event_id = ${eventId}`.execute(economy.db.kysely);
      return rows.rows[0]?.n;
    };
    const accepted = randomUUID();
    const acceptedEvent = orderEvent(orderId, customer.characterId, executor.characterId, 'applied', 'accepted');
    await economy.deliver('social.orders.lifecycle', orderId, acceptedEvent, accepted);
    assert.equal(await claimed(accepted), 0);

    // An end whose claim is taken was handled already: with the escrow still locked, nothing moves.
    const handled = randomUUID();
    await sql`INSERT INTO mvp_meta.processed_events (consumer_group, event_id, topic)
      VALUES ('economy.orders', ${handled}, 'social.orders.lifecycle')`.execute(economy.db.kysely);
    const completed = orderEvent(orderId, customer.characterId, executor.characterId, 'delivered', 'completed');
    await economy.deliver('social.orders.lifecycle', orderId, completed, handled);
    assert.deepEqual(await escrowEvents(orderId), ['locked']);
    assert.deepEqual(await eddies(customer.characterId), { available: 475, held: 525 });

    const fresh = randomUUID();
    await economy.deliver('social.orders.lifecycle', orderId, completed, fresh);
    assert.equal(await claimed(fresh), 1);
    assert.deepEqual(await escrowEvents(orderId), ['locked', 'released']);
    assert.deepEqual(await eddies(executor.characterId), { available: 1500, held: 0 });
  });

  it('refunds everything before accept and pays the executor its cut after accept', async () => {
    const customer = await economy.player();
    const executor = await economy.player();
    const early = randomUUID();
    await lock(service, early, customer.characterId);
    await economy.deliver(
      'social.orders.lifecycle',
      early,
      orderEvent(early, customer.characterId, null, 'published', 'cancelled'),
    );
    assert.deepEqual(await eddies(customer.characterId), { available: 1000, held: 0 });

    const late = randomUUID();
    await lock(service, late, customer.characterId);
    const cancelled = orderEvent(late, customer.characterId, executor.characterId, 'accepted', 'cancelled');
    await economy.deliver('social.orders.lifecycle', late, cancelled);
    await economy.deliver('social.orders.lifecycle', late, cancelled);
    assert.deepEqual(await eddies(executor.characterId), { available: 1050, held: 0 });
    assert.deepEqual(await eddies(customer.characterId), { available: 950, held: 0 });
    const escrow = await economy.call('GET', `/api/v1/economy/escrows/${late}`, admin);
    assert.equal(escrow.body.status, 'refunded');
    assert.equal(escrow.body.refundAmount, 475);
  });

  it('answers 409 to a second settlement with other terms, by the API or by an event, and keeps the first', async () => {
    const customer = await economy.player();
    const executor = await economy.player();
    const other = await economy.player();
    const arbiter = await economy.issuer.token(randomUUID(), ['arbiter']);
    const split = randomUUID();
    await lock(service, split, customer.characterId);
    const splitAt = (share: number) =>
      economy.call('POST', `/api/v1/economy/escrows/${split}/split`, arbiter, {
        executorCharacterId: executor.characterId,
        executorSharePercent: share,
      });
    assert.equal((await splitAt(30)).status, 200);
    assert.equal((await splitAt(30)).status, 200);
    const again = await splitAt(70);
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'INVALID_STATE');
    await economy.deliver(
      'social.orders.lifecycle',
      split,
      orderEvent(split, customer.characterId, executor.characterId, 'disputed', 'resolved', {
        executorSharePercent: 70,
      }),
    );
    const kept = await economy.call('GET', `/api/v1/economy/escrows/${split}`, admin);
    assert.equal(kept.body.executorAmount, 150);
    assert.equal(kept.body.history.length, 2);

    const released = randomUUID();
    await lock(service, released, customer.characterId);
    const releaseTo = (who: string) =>
      economy.call('POST', `/api/v1/economy/escrows/${released}/release`, service, { executorCharacterId: who });
    assert.equal((await releaseTo(executor.characterId)).status, 200);
    assert.equal((await releaseTo(executor.characterId.toUpperCase())).status, 200);
    assert.equal((await releaseTo(other.characterId)).status, 409);
    assert.deepEqual(await eddies(other.characterId), { available: 1000, held: 0 });
    assert.deepEqual(await eddies(executor.characterId), { available: 1000 + 150 + 500, held: 0 });
  });

  it('holds nothing for an order social closed before its escrow was locked, even when the two race', async () => {
    const customer = await economy.player();
    const closed = randomUUID();
    await economy.deliver(
      'social.orders.lifecycle',
      closed,
      orderEvent(closed, customer.characterId, null, 'draft', 'cancelled'),
    );
    const late = await lock(service, closed, customer.characterId);
    assert.equal(late.status, 409, JSON.stringify(late.body));
    assert.equal(late.body.code, 'INVALID_STATE');
    assert.deepEqual(await eddies(customer.characterId), { available: 1000, held: 0 });

    // A lock and the order's cancellation at once: either the lock is refunded or it is refused.
    const orders = Array.from({ length: 5 }, () => randomUUID());
    const locks = await Promise.all(
      orders.flatMap((orderId) => [
        lock(service, orderId, customer.characterId, 100, 5),
        economy
          .deliver(
            'social.orders.lifecycle',
            orderId,
            orderEvent(orderId, customer.characterId, null, 'published', 'cancelled'),
          )
          .then(() => ({ status: 0, body: undefined })),
      ]),
    );
    assert.ok(
      locks.every((answer) => answer.status === 0 || answer.status === 201 || answer.status === 409),
      JSON.stringify(locks.map((answer) => answer.status)),
    );
    assert.deepEqual(await eddies(customer.characterId), { available: 1000, held: 0 });
  });

  it('splits a resolved dispute by the arbiter share, the house keeping the commission', async () => {
    const customer = await economy.player();
    const executor = await economy.player();
    const orderId = randomUUID();
    await lock(service, orderId, customer.characterId, 333, 16);
    const arbiter = await economy.issuer.token(randomUUID(), ['arbiter']);
    const split = await economy.call('POST', `/api/v1/economy/escrows/${orderId}/split`, arbiter, {
      executorCharacterId: executor.characterId,
      executorSharePercent: 70,
    });
    assert.equal(split.status, 200, JSON.stringify(split.body));
    assert.equal(split.body.executorAmount, 233);
    assert.equal(split.body.refundAmount, 100);
    await economy.deliver(
      'social.orders.lifecycle',
      orderId,
      orderEvent(orderId, customer.characterId, executor.characterId, 'disputed', 'resolved', {
        executorSharePercent: 70,
      }),
    );
    assert.deepEqual(await eddies(executor.characterId), { available: 1233, held: 0 });
    assert.deepEqual(await eddies(customer.characterId), { available: 1000 - 333 - 16 + 100, held: 0 });
    assert.deepEqual(await escrowEvents(orderId), ['locked', 'split']);
  });
});
