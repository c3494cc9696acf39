import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { type Market, orderBody, type Player, startMarket } from '../support/harness.ts';

const base = '/api/v1/social/orders';

describe(`social orders on economy's escrow on ${adapterLabel}`, () => {
  let market: Market;
  before(async () => {
    market = await startMarket();
  });
  afterEach(async () => {
    await market.pump();
    await market.assertAuditBalanced();
  });
  after(() => market.close());

  const call = (method: string, path: string, token: string, body?: unknown) =>
    market.social.call(method, path, token, body);
  const draft = async (customer: Player, overrides: Record<string, unknown> = {}) => {
    const created = await call('POST', base, customer.token, orderBody(customer.characterId, overrides));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.orderId as string;
  };
  const published = async (customer: Player, overrides: Record<string, unknown> = {}) => {
    const orderId = await draft(customer, overrides);
    const publish = await call('POST', `${base}/${orderId}/publish`, customer.token);
    assert.equal(publish.status, 200, JSON.stringify(publish.body));
    return orderId;
  };
  const apply = (orderId: string, applicant: Player, extra: Record<string, unknown> = {}) =>
    call('POST', `${base}/${orderId}/applications`, applicant.token, { characterId: applicant.characterId, ...extra });
  const accepted = async (customer: Player, executor: Player, overrides: Record<string, unknown> = {}) => {
    const orderId = await published(customer, overrides);
    const application = await apply(orderId, executor);
    assert.equal(application.status, 201, JSON.stringify(application.body));
    const accept = await call(
      'POST',
      `${base}/${orderId}/applications/${application.body.applicationId}/accept`,
      customer.token,
    );
    assert.equal(accept.status, 200, JSON.stringify(accept.body));
    return orderId;
  };
  const step = (orderId: string, action: string, token: string, body?: unknown) =>
    call('POST', `${base}/${orderId}/${action}`, token, body);

  it('publishes a draft by locking reward + commission, and pays the executor the reward on completion', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const orderId = await draft(customer);
    const detail = await call('GET', `${base}/${orderId}`, customer.token);
    assert.equal(detail.body.status, 'draft');
    assert.equal(detail.body.commission, null);

    const publish = await step(orderId, 'publish', customer.token);
    assert.equal(publish.body.status, 'published');
    // 5% of 500 for a Bronze customer.
    assert.equal(publish.body.commission, 25);
    assert.deepEqual(await market.eddies(customer.characterId), { available: 475, held: 525 });

    const application = await apply(orderId, executor, { bid: 450, coverLetter: 'On it' });
    assert.equal(application.body.status, 'submitted');
    await step(orderId, `applications/${application.body.applicationId}/accept`, customer.token);
    assert.equal((await step(orderId, 'start', executor.token)).body.status, 'in_progress');
    const delivered = await step(orderId, 'deliver', executor.token, { note: 'done', proofLinks: ['https://x/1'] });
    assert.equal(delivered.body.status, 'delivered');
    assert.equal(delivered.body.delivery.note, 'done');
    assert.equal((await step(orderId, 'complete', customer.token)).body.status, 'completed');

    await market.pump();
    assert.deepEqual(await market.eddies(customer.characterId), { available: 475, held: 0 });
    assert.deepEqual(await market.eddies(executor.characterId), { available: 1500, held: 0 });
    const after = await call('GET', `${base}/${orderId}`, executor.token);
    assert.equal(after.body.escrowStatus, 'released');
    assert.equal(after.body.executorCharacterId, executor.characterId);
    assert.deepEqual(
      after.body.history
        .filter((entry: { kind: string }) => entry.kind === 'transition')
        .map((e: { toStatus: string }) => e.toStatus),
      ['draft', 'published', 'accepted', 'in_progress', 'delivered', 'completed'],
    );
    const timeline = await call('GET', `${base}/${orderId}/timeline`, customer.token);
    assert.ok(timeline.body.items.some((entry: { kind: string }) => entry.kind === 'application'));
    assert.ok(timeline.body.items.every((entry: { actor: string; at: string }) => entry.actor && entry.at));
  });

  it('leaves a draft that cannot be paid a draft (422 INSUFFICIENT_FUNDS), its wallet untouched', async () => {
    const customer = await market.player();
    const orderId = await draft(customer, { reward: 960 });
    const publish = await step(orderId, 'publish', customer.token);
    assert.equal(publish.status, 422, JSON.stringify(publish.body));
    assert.equal(publish.body.code, 'INSUFFICIENT_FUNDS');
    assert.equal((await call('GET', `${base}/${orderId}`, customer.token)).body.status, 'draft');
    assert.deepEqual(await market.eddies(customer.characterId), { available: 1000, held: 0 });
  });

  it('refunds everything on a cancel before accept, and 10% of the reward to the executor after it', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const early = await published(customer);
    assert.equal((await step(early, 'cancel', customer.token)).body.status, 'cancelled');
    await market.pump();
    assert.deepEqual(await market.eddies(customer.characterId), { available: 1000, held: 0 });

    const late = await accepted(customer, executor);
    assert.equal((await step(late, 'cancel', customer.token)).body.status, 'cancelled');
    await market.pump();
    assert.deepEqual(await market.eddies(customer.characterId), { available: 950, held: 0 });
    assert.deepEqual(await market.eddies(executor.characterId), { available: 1050, held: 0 });
    assert.equal((await call('GET', `${base}/${late}`, customer.token)).body.escrowStatus, 'refunded');
  });

  it('splits a dispute resolved 70/30 exactly: 70% of the reward to the executor, 30% back, the commission kept', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const orderId = await accepted(customer, executor, { reward: 333 });
    await step(orderId, 'start', executor.token);
    const disputed = await step(orderId, 'dispute', executor.token, { reason: 'Not paid', evidence: ['https://x'] });
    assert.equal(disputed.body.status, 'disputed');
    const arbiter = await market.arbiter();
    const queue = await call('GET', '/api/v1/social/disputes', arbiter);
    assert.ok(queue.body.items.some((entry: { orderId: string }) => entry.orderId === orderId));
    assert.equal((await call('GET', '/api/v1/social/disputes', customer.token)).status, 403);
    assert.equal(
      (await step(orderId, 'resolve', customer.token, { executorSharePercent: 100, note: 'mine' })).status,
      403,
    );
    const resolved = await step(orderId, 'resolve', arbiter, { executorSharePercent: 70, note: 'mostly done' });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    assert.equal(resolved.body.status, 'resolved');
    await market.pump();
    // Commission 5% of 333 = 16; executor floor(333 × 70 / 100) = 233; customer gets 100 back.
    assert.deepEqual(await market.eddies(executor.characterId), { available: 1233, held: 0 });
    assert.deepEqual(await market.eddies(customer.characterId), { available: 1000 - 333 - 16 + 100, held: 0 });
    assert.equal((await call('GET', `${base}/${orderId}`, customer.token)).body.escrowStatus, 'split');
  });

  it('answers 403 to the wrong role and 409 INVALID_STATE to a transition that does not exist', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const outsider = await market.player();
    const orderId = await accepted(customer, executor);
    assert.equal((await step(orderId, 'start', customer.token)).status, 403);
    assert.equal((await step(orderId, 'start', outsider.token)).status, 403);
    assert.equal((await step(orderId, 'complete', executor.token)).status, 403);
    const early = await step(orderId, 'complete', customer.token);
    assert.equal(early.status, 409);
    assert.equal(early.body.code, 'INVALID_STATE');
    assert.equal((await step(orderId, 'publish', customer.token)).body.code, 'INVALID_STATE');
    assert.equal((await step(orderId, 'deliver', executor.token, {})).body.code, 'INVALID_STATE');
    assert.equal((await step(orderId, 'dispute', customer.token, { reason: 'x' })).body.code, 'INVALID_STATE');
    await step(orderId, 'start', executor.token);
    assert.equal((await step(orderId, 'cancel', customer.token)).body.code, 'INVALID_STATE');
    assert.equal((await step(orderId, 'start', executor.token)).body.code, 'INVALID_STATE');
    await step(orderId, 'deliver', executor.token, {});
    await step(orderId, 'complete', customer.token);
    for (const action of ['cancel', 'complete', 'publish']) {
      assert.equal((await step(orderId, action, customer.token)).body.code, 'INVALID_STATE', action);
    }
    assert.equal((await step(orderId, 'dispute', executor.token, { reason: 'late' })).body.code, 'INVALID_STATE');
  });

  it('lets exactly one of many racing accepts win; the other applications are rejected', async () => {
    const customer = await market.player();
    const applicants = await Promise.all(Array.from({ length: 6 }, () => market.player()));
    const orderId = await published(customer);
    const applications = await Promise.all(applicants.map((applicant) => apply(orderId, applicant)));
    const accepts = await Promise.all(
      applications.flatMap((application) => [
        step(orderId, `applications/${application.body.applicationId}/accept`, customer.token),
        step(orderId, `applications/${application.body.applicationId}/accept`, customer.token),
      ]),
    );
    const statuses = accepts.map((answer) => answer.status).sort();
    assert.equal(statuses.filter((status) => status === 200).length, 1, JSON.stringify(statuses));
    assert.ok(accepts.every((answer) => answer.status === 200 || answer.body.code === 'INVALID_STATE'));
    const list = await call('GET', `${base}/${orderId}/applications`, customer.token);
    const byStatus = list.body.items.map((item: { status: string }) => item.status).sort();
    assert.deepEqual(byStatus, ['accepted', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
  });

  it('keeps one live application per character, none on your own order, and shows applicants only their own', async () => {
    const customer = await market.player();
    const first = await market.player();
    const second = await market.player();
    const orderId = await published(customer);
    const twice = await Promise.all([apply(orderId, first), apply(orderId, first), apply(orderId, first)]);
    assert.deepEqual(twice.map((answer) => answer.status).sort(), [201, 409, 409]);
    assert.ok(twice.filter((a) => a.status === 409).every((a) => a.body.code === 'ALREADY_APPLIED'));
    const own = await call('POST', `${base}/${orderId}/applications`, customer.token, {
      characterId: customer.characterId,
    });
    assert.equal(own.status, 403);
    const mine = twice.find((answer) => answer.status === 201)?.body.applicationId;
    await apply(orderId, second);
    assert.equal((await call('GET', `${base}/${orderId}/applications`, second.token)).body.items.length, 1);
    assert.equal((await call('GET', `${base}/${orderId}/applications`, customer.token)).body.items.length, 2);
    assert.equal((await step(orderId, `applications/${mine}/withdraw`, second.token)).status, 404);
    assert.equal((await step(orderId, `applications/${mine}/withdraw`, first.token)).body.status, 'withdrawn');
    assert.equal((await step(orderId, `applications/${mine}/withdraw`, first.token)).body.code, 'INVALID_STATE');
    assert.equal((await apply(orderId, first)).status, 201);
    const drafted = await draft(customer);
    assert.equal((await apply(drafted, first)).body.code, 'INVALID_STATE');
    // An application that inserted nothing is explained in the contract's order: the order, then the character.
    const anothers = await call('POST', `${base}/${orderId}/applications`, first.token, {
      characterId: second.characterId,
    });
    assert.equal(anothers.body.code, 'CHARACTER_NOT_OWNED');
    const nowhere = `${base}/00000000-0000-4000-8000-000000000000/applications`;
    assert.equal((await call('POST', nowhere, first.token, { characterId: second.characterId })).status, 404);
  });

  it('hides private and invite-only orders from outsiders and shows faction orders to the faction only', async () => {
    const customer = await market.player('arasaka');
    const invitee = await market.player();
    const outsider = await market.player('militech');
    const ally = await market.player('arasaka');
    const invitation = { invitedCharacterIds: [invitee.characterId], reward: 100 };
    const hidden = await published(customer, { accessLevel: 'private', ...invitation });
    const invited = await published(customer, { accessLevel: 'invite_only', ...invitation });
    const faction = await published(customer, { accessLevel: 'faction', reward: 100 });
    for (const orderId of [hidden, invited]) {
      assert.equal((await call('GET', `${base}/${orderId}`, outsider.token)).status, 404);
      assert.equal((await step(orderId, 'cancel', outsider.token)).status, 404);
      assert.equal((await call('GET', `${base}/${orderId}`, invitee.token)).status, 200);
      assert.equal((await call('GET', `${base}/${orderId}`, await market.arbiter())).status, 200);
      assert.equal((await apply(orderId, outsider)).status, 404);
    }
    assert.equal((await apply(invited, invitee)).status, 201);
    assert.equal(
      (await call('GET', `${base}/${faction}?characterId=${outsider.characterId}`, outsider.token)).status,
      404,
    );
    assert.equal((await call('GET', `${base}/${faction}?characterId=${ally.characterId}`, ally.token)).status, 200);
    assert.equal((await apply(faction, outsider)).status, 404);
    assert.equal((await apply(faction, ally)).status, 201);

    const seen = async (player: Player) => {
      const list = await call(
        'GET',
        `${base}?customerCharacterId=${customer.characterId}&characterId=${player.characterId}`,
        player.token,
      );
      assert.equal(list.status, 200, JSON.stringify(list.body));
      return list.body.items.map((item: { orderId: string }) => item.orderId).sort();
    };
    assert.deepEqual(await seen(outsider), []);
    assert.deepEqual(await seen(ally), [faction]);
    assert.deepEqual(await seen(invitee), [hidden, invited].sort());
    assert.deepEqual(await seen(customer), [hidden, invited, faction].sort());
  });

  it('lists with filters and cursor pages, newest first', async () => {
    const customer = await market.player();
    const orders = [];
    for (let i = 0; i < 5; i += 1)
      orders.push(await draft(customer, { orderType: i % 2 ? 'hacking' : 'combat', districtId: 'kabuki' }));
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `${base}?customerCharacterId=${customer.characterId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call('GET', query, customer.token);
      assert.equal(page.status, 200);
      pages.push(...page.body.items.map((item: { orderId: string }) => item.orderId));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(pages, [...orders].reverse());
    const hacking = await call(
      'GET',
      `${base}?customerCharacterId=${customer.characterId}&orderType=hacking&status=draft&districtId=kabuki`,
      customer.token,
    );
    assert.equal(hacking.body.items.length, 2);
    assert.equal((await call('GET', `${base}?cursor=nonsense`, customer.token)).status, 400);
    assert.equal((await call('GET', `${base}?status=lost`, customer.token)).status, 400);
  });

  it('holds the limits: 10 open orders per customer character, 3 open disputes per account', async () => {
    const customer = await market.player();
    await market.economy.call('POST', '/api/v1/economy/grants', await market.economy.adminToken(), {
      characterId: customer.characterId,
      asset: 'EDD',
      amount: 100_000,
      reason: 'test',
    });
    const drafts = await Promise.all(Array.from({ length: 12 }, () => draft(customer, { reward: 10 })));
    const publishes = await Promise.all(drafts.map((orderId) => step(orderId, 'publish', customer.token)));
    assert.equal(publishes.filter((answer) => answer.status === 200).length, 10);
    assert.ok(
      publishes.filter((a) => a.status !== 200).every((a) => a.status === 409 && a.body.code === 'ORDER_LIMIT'),
    );

    const executor = await market.player();
    const other = await market.player();
    const disputed = [];
    for (let i = 0; i < 4; i += 1) {
      const orderId = await accepted(other, executor, { reward: 10 });
      await step(orderId, 'start', executor.token);
      disputed.push(orderId);
    }
    const disputes = await Promise.all(
      disputed.map((orderId) => step(orderId, 'dispute', executor.token, { reason: 'r' })),
    );
    assert.deepEqual(disputes.map((answer) => answer.status).sort(), [200, 200, 200, 409]);
    assert.equal(disputes.find((answer) => answer.status === 409)?.body.code, 'DISPUTE_LIMIT');
    const arbiter = await market.arbiter();
    for (const orderId of disputed) await step(orderId, 'resolve', arbiter, { executorSharePercent: 50, note: 'n' });
  });

  it("refuses a player's own escrow lock for an order social does not know, or whose customer they are not", async () => {
    const customer = await market.player();
    const stranger = await market.player();
    const lock = (player: Player, orderId: string, commission = 5) =>
      market.economy.call('POST', '/api/v1/economy/escrows', player.token, {
        orderId,
        payerCharacterId: player.characterId,
        amount: 100,
        commission,
      });
    const unknown = await lock(stranger, randomUUID());
    assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
    const orderId = await draft(customer, { reward: 100 });
    assert.equal((await lock(stranger, orderId)).status, 403);
    assert.deepEqual(await market.eddies(stranger.characterId), { available: 1000, held: 0 });
    // The customer's own lock, with another commission than the tier's 5: publishing finds it and
    // takes its terms (as after a tier change between two attempts), holding nothing more.
    assert.equal((await lock(customer, orderId, 7)).status, 201);
    assert.equal((await step(orderId, 'publish', customer.token)).body.commission, 7);
    assert.deepEqual(await market.eddies(customer.characterId), { available: 893, held: 107 });
    await step(orderId, 'cancel', customer.token);
    await market.pump();
    assert.deepEqual(await market.eddies(customer.characterId), { available: 1000, held: 0 });
  });
  // The timeline and the applications name their order without a foreign key (migrations/005).
  it('never removes an order', async () => {
    const db = market.social.db.kysely;
    await assert.rejects(sql`DELETE FROM mvp_core.social_orders WHERE order_id IS NULL`.execute(db), /never removed/);
    await assert.rejects(sql`TRUNCATE mvp_core.social_orders CASCADE`.execute(db), /never removed/);
  });
});
