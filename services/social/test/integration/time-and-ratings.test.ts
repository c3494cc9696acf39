import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { socialSchedules } from '../../src/jobs/schedules.ts';
import { type Market, orderBody, type Player, startMarket } from '../support/harness.ts';

const base = '/api/v1/social/orders';
// 72 game hours are 72 wall seconds at this scale.
const TIME_SCALE = 3600;
const seconds = (date: Date, s: number) => new Date(date.getTime() + s * 1000);

describe(`social's clock, reviews and ratings on ${adapterLabel}`, () => {
  let market: Market;
  let schedules: ReturnType<typeof socialSchedules>;
  before(async () => {
    // The service's own ticks wait 10 minutes: the tests drive the clock themselves.
    market = await startMarket({
      TIME_SCALE: String(TIME_SCALE),
      SOCIAL_SCHEDULE_TICK_MS: '600000',
      SOCIAL_RATING_DECAY_TICK_MS: '600000',
    });
    schedules = socialSchedules({
      database: market.social.db,
      settings: {
        SOCIAL_SCHEDULE_TICK_MS: 600_000,
        SOCIAL_RATING_DECAY_TICK_MS: 600_000,
        SOCIAL_AUTO_COMPLETE_HOURS: 72,
      },
      timeScale: TIME_SCALE,
    });
  });
  afterEach(async () => {
    await market.pump();
    await market.assertAuditBalanced();
  });
  after(() => market.close());

  const call = (method: string, path: string, token: string, body?: unknown) =>
    market.social.call(method, path, token, body);
  const step = async (orderId: string, action: string, token: string, body?: unknown) => {
    const answer = await call('POST', `${base}/${orderId}/${action}`, token, body);
    assert.ok(answer.status < 300, `${action}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const accepted = async (customer: Player, executor: Player, overrides: Record<string, unknown> = {}) => {
    const created = await call('POST', base, customer.token, orderBody(customer.characterId, overrides));
    const orderId = created.body.orderId as string;
    await step(orderId, 'publish', customer.token);
    const application = await step(orderId, 'applications', executor.token, { characterId: executor.characterId });
    await step(orderId, `applications/${application.applicationId}/accept`, customer.token);
    return orderId;
  };
  const detail = async (orderId: string, token: string) => (await call('GET', `${base}/${orderId}`, token)).body;

  it('expires a published order past its deadline (full refund) and keeps an accepted one open, late', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const deadline = new Date(Date.now() + 3_600_000);
    const created = await call(
      'POST',
      base,
      customer.token,
      orderBody(customer.characterId, { reward: 200, deadline: deadline.toISOString() }),
    );
    const waiting = created.body.orderId as string;
    await step(waiting, 'publish', customer.token);
    await step(waiting, 'applications', executor.token, { characterId: executor.characterId });
    const working = await accepted(customer, executor, { reward: 100, deadline: deadline.toISOString() });
    await step(working, 'start', executor.token);

    assert.equal(await schedules.orders.tick(seconds(deadline, -1)), true);
    assert.equal((await detail(waiting, customer.token)).status, 'published');
    await schedules.orders.tick(seconds(deadline, 1));
    const expired = await detail(waiting, customer.token);
    assert.equal(expired.status, 'cancelled');
    assert.equal(expired.history.at(-1).actor, 'system');
    const applications = await call('GET', `${base}/${waiting}/applications`, customer.token);
    assert.deepEqual(
      applications.body.items.map((a: { status: string }) => a.status),
      ['rejected'],
    );
    assert.equal((await detail(working, customer.token)).status, 'in_progress');
    await market.pump();
    // The expired order's 200 + 10 came back; the working order's 100 + 5 stays held.
    assert.deepEqual(await market.eddies(customer.characterId), { available: 895, held: 105 });
    // The missed deadline already counts against the executor: accepted 1, delivered 0, overdue 1.
    const timeline = await call('GET', `${base}/${working}/timeline`, executor.token);
    assert.ok(timeline.body.items.some((entry: { kind: string }) => entry.kind === 'deadline'));
    await step(working, 'deliver', executor.token, {});
    await step(working, 'complete', customer.token);
    const ratings = await call('GET', `/api/v1/social/ratings/${executor.characterId}`, customer.token);
    // CR 1, TL 0 (late), QL 0.5 (no review), RL 1, CB 0: 0.30 + 0 + 0.125 + 0.15 + 0 = 57.5.
    assert.equal(ratings.body.executor.score, 57.5);
    // The customer's score came from the same end: PR 1, BQ 0.5 (no review), DR 1, RF 0.5, RB 0 → 30 + 10 + 20 + 7.5.
    const asCustomer = await call('GET', `/api/v1/social/ratings/${customer.characterId}`, customer.token);
    assert.equal(asCustomer.body.customer.score, 67.5);
    assert.equal(asCustomer.body.customer.completed, 1);
  });

  it('completes a delivery the customer leaves unanswered after 72 game hours (scaled), paying the executor', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const orderId = await accepted(customer, executor, { reward: 300 });
    await step(orderId, 'start', executor.token);
    const delivered = await step(orderId, 'deliver', executor.token, {});
    const at = new Date(delivered.deliveredAt);
    await schedules.orders.tick(seconds(at, 71));
    assert.equal((await detail(orderId, customer.token)).status, 'delivered');
    // Restarted in between: what is due lives in the table, the new instance's schedule finds it.
    await market.social.stop();
    await market.social.start();
    await schedules.orders.tick(seconds(at, 73));
    assert.equal((await detail(orderId, customer.token)).status, 'completed');
    await market.pump();
    assert.deepEqual(await market.eddies(executor.characterId), { available: 1300, held: 0 });
  });

  it('expires an order once when replicas tick together', async () => {
    const replica = socialSchedules({
      database: market.social.db,
      settings: {
        SOCIAL_SCHEDULE_TICK_MS: 600_000,
        SOCIAL_RATING_DECAY_TICK_MS: 600_000,
        SOCIAL_AUTO_COMPLETE_HOURS: 72,
      },
      timeScale: TIME_SCALE,
    });
    const customer = await market.player();
    const deadline = new Date(Date.now() + 3_600_000);
    const created = await call(
      'POST',
      base,
      customer.token,
      orderBody(customer.characterId, { reward: 100, deadline: deadline.toISOString() }),
    );
    await step(created.body.orderId, 'publish', customer.token);
    const ticks = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? replica : schedules).orders.tick(seconds(deadline, 5))),
    );
    assert.ok(ticks.includes(true));
    const events = await market.social.db.kysely
      .selectFrom('mvp_meta.outbox')
      .select('payload')
      .where('aggregateid', '=', created.body.orderId)
      .execute();
    // biome-ignore lint/suspicious/noExplicitAny: the outbox holds checked envelopes
    const statuses = events.map((event) => (event.payload as any).payload.toStatus);
    assert.deepEqual(statuses, ['draft', 'published', 'cancelled']);
  });

  it('takes one review per author, rates by the hand-computed formulas, prices by tier, and decays', async () => {
    const customer = await market.player();
    const executor = await market.player();
    await market.economy.call('POST', '/api/v1/economy/grants', await market.economy.adminToken(), {
      characterId: customer.characterId,
      asset: 'EDD',
      amount: 1_000,
      reason: 'test',
    });
    const big = await accepted(customer, executor, { reward: 1_000 });
    const small = await accepted(customer, executor, { reward: 100 });
    for (const orderId of [big, small]) {
      await step(orderId, 'start', executor.token);
      await step(orderId, 'deliver', executor.token, {});
      const early = await call('POST', `${base}/${orderId}/reviews`, customer.token, { rating: 5 });
      assert.equal(early.body.code, 'INVALID_STATE');
      await step(orderId, 'complete', customer.token);
    }
    await step(big, 'reviews', customer.token, { rating: 5, comment: 'clean' });
    const twice = await call('POST', `${base}/${big}/reviews`, customer.token, { rating: 1 });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.code, 'ALREADY_REVIEWED');
    await step(small, 'reviews', customer.token, { rating: 3 });
    await step(small, 'reviews', executor.token, { rating: 4 });
    const outsider = await market.player();
    assert.equal((await call('POST', `${base}/${small}/reviews`, outsider.token, { rating: 4 })).status, 403);

    const ratings = (await call('GET', `/api/v1/social/ratings/${executor.characterId}`, outsider.token)).body;
    // Executor: CR 1, TL 1, QL (4 − 1)/4, RL 1, CB 1/2 → 30 + 20 + 18.75 + 15 + 5.
    assert.equal(ratings.executor.score, 88.75);
    assert.equal(ratings.executor.tier, 'Platinum');
    assert.equal(ratings.executor.completed, 2);
    const asCustomer = (await call('GET', `/api/v1/social/ratings/${customer.characterId}`, outsider.token)).body;
    // Customer: PR 1, BQ (4 − 1)/4, DR 1, RF 0.5, RB 1/2 → 30 + 15 + 20 + 7.5 + 7.5.
    assert.equal(asCustomer.customer.score, 80);
    assert.equal(asCustomer.customer.tier, 'Gold');
    // A Gold customer pays 5 − 2 = 3% commission.
    const next = await call('POST', base, customer.token, orderBody(customer.characterId, { reward: 100 }));
    assert.equal((await step(next.body.orderId, 'publish', customer.token)).commission, 3);
    await step(next.body.orderId, 'cancel', customer.token);

    // An executor below an order's minExecutorRating may not apply.
    const newcomer = await market.player();
    const gated = await call(
      'POST',
      base,
      customer.token,
      orderBody(customer.characterId, { reward: 50, minExecutorRating: 40 }),
    );
    await step(gated.body.orderId, 'publish', customer.token);
    const refused = await call('POST', `${base}/${gated.body.orderId}/applications`, newcomer.token, {
      characterId: newcomer.characterId,
    });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'REQUIREMENTS_NOT_MET');
    await step(gated.body.orderId, 'applications', executor.token, { characterId: executor.characterId });
    await step(gated.body.orderId, 'cancel', customer.token);

    // 20 idle days: 6 points off; 200: down to 20% of the peak, 95 (after the first review, before the 3).
    const lastOrder = new Date(ratings.executor.lastOrderAt);
    await schedules.ratings.tick(new Date(lastOrder.getTime() + 20 * 86_400_000));
    assert.equal(
      (await call('GET', `/api/v1/social/ratings/${executor.characterId}`, outsider.token)).body.executor.score,
      82.75,
    );
    await schedules.ratings.tick(new Date(lastOrder.getTime() + 200 * 86_400_000));
    assert.equal(
      (await call('GET', `/api/v1/social/ratings/${executor.characterId}`, outsider.token)).body.executor.score,
      19,
    );
  });

  it('settles once whatever the lifecycle events do: repeated, copied under new ids, or escrow news out of order', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const orderId = await accepted(customer, executor, { reward: 400 });
    await step(orderId, 'start', executor.token);
    await step(orderId, 'deliver', executor.token, {});
    await step(orderId, 'complete', customer.token);
    await market.pump();
    const settled = {
      customer: await market.eddies(customer.characterId),
      executor: await market.eddies(executor.characterId),
    };
    assert.deepEqual(settled.executor, { available: 1400, held: 0 });

    const rows = await market.social.db.kysely
      .selectFrom('mvp_meta.outbox')
      .select(['id', 'aggregateid', 'payload'])
      .where('aggregateid', '=', orderId)
      .execute();
    assert.equal(rows.length, 6, 'draft, published, accepted, in_progress, delivered, completed');
    for (const row of [...rows].reverse()) {
      // biome-ignore lint/suspicious/noExplicitAny: the outbox holds checked envelopes
      const payload = (row.payload as any).payload;
      await market.economy.deliver('social.orders.lifecycle', orderId, payload, row.id);
      await market.economy.deliver('social.orders.lifecycle', orderId, payload, randomUUID());
    }
    assert.deepEqual(await market.eddies(customer.characterId), settled.customer);
    assert.deepEqual(await market.eddies(executor.characterId), settled.executor);

    const news = { orderId, amount: 400, commission: 20, executorAmount: 0, refundAmount: 0 };
    await market.social.deliver('economy.escrow.events', orderId, { ...news, status: 'locked' });
    assert.equal((await detail(orderId, customer.token)).escrowStatus, 'released');

    // A batch of news on orders whose escrow shows nothing yet: applied as if one by one, an end never moved back.
    const other = await market.player();
    const [late, early] = [
      await accepted(other, executor, { reward: 10 }),
      await accepted(other, executor, { reward: 10 }),
    ];
    await sql`UPDATE mvp_core.social_orders SET escrow_status = NULL WHERE order_id IN (${late}, ${early})`.execute(
      market.social.db.kysely,
    );
    const batch = (status: string, id: string) => ({ key: id, payload: { ...news, orderId: id, status } });
    const ids = await market.social.deliverAll('economy.escrow.events', [
      batch('refunded', late),
      batch('locked', late),
      batch('locked', early),
    ]);
    assert.equal((await detail(late, other.token)).escrowStatus, 'refunded');
    assert.equal((await detail(early, other.token)).escrowStatus, 'locked');
    await market.social.deliverAll('economy.escrow.events', [
      { ...batch('released', early), eventId: ids[2] as string },
      batch('split', early),
    ]);
    assert.equal(
      (await detail(early, other.token)).escrowStatus,
      'split',
      'a repeated id is skipped, a new end applies',
    );
  });
});
