/**
 * Player orders through the gateway, the whole backend in one process: two players' characters,
 * an order published on escrow, applied for, accepted, worked, delivered and completed; another
 * disputed and resolved 70/30 by the seeded arbiter. Every eddy lands where DOMAIN.md says and the
 * ledger audit balances at the end.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@necp/platform/testing';
import { type E2eBackend, startE2eBackend } from './support/backend.ts';

// biome-ignore lint/suspicious/noExplicitAny: bodies are read loosely and checked with assertions
type Json = any;

describe('player orders through the gateway, settled on the ledger', () => {
  let e2e: E2eBackend;
  const arbiterPassword = `arbiter-${randomUUID()}`;
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${e2e.gateway}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const login = async (username: string, password: string) => {
    const answer = await call('POST', '/api/v1/auth/login', undefined, { login: username, password });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.access_token as string;
  };

  before(async () => {
    e2e = await startE2eBackend({ SEED_ARBITER_PASSWORD: arbiterPassword });
  });
  after(() => e2e.stop());

  async function player(tag: string) {
    const suffix = randomUUID().slice(0, 6);
    const username = `${tag}_${suffix}`;
    const password = `Neon-city-${randomUUID()}`;
    const registered = await call('POST', '/api/v1/auth/register', undefined, {
      email: `${username}@example.test`,
      username,
      password,
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const token = await login(username, password);
    const created = await call('POST', '/api/v1/characters', token, {
      name: `${tag} ${suffix}`,
      origin: 'street_kid',
      class: 'solo',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const characterId = (created.body.characterId ?? created.body.id) as string;
    await waitFor(`${tag}'s eddies`, async () => ((await eddies(token, characterId)) === 1000 ? true : undefined), {
      timeoutMs: 20_000,
    });
    return { token, characterId };
  }
  const eddies = async (token: string, characterId: string) => {
    const wallet = await call('GET', `/api/v1/economy/wallets/${characterId}`, token);
    if (wallet.status !== 200) return undefined;
    return (wallet.body.balances as { asset: string; available: number }[]).find((b) => b.asset === 'EDD')?.available;
  };
  const order = (customerCharacterId: string, reward: number) => ({
    customerCharacterId,
    orderType: 'logistics',
    title: 'Deliver a package to Japantown',
    description: 'No questions',
    districtId: 'westbrook',
    reward,
    deadline: new Date(Date.now() + 86_400_000).toISOString(),
    accessLevel: 'public',
  });
  const hired = async (
    customer: { token: string; characterId: string },
    executor: { token: string; characterId: string },
    reward: number,
  ) => {
    const created = await call('POST', '/api/v1/social/orders', customer.token, order(customer.characterId, reward));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const orderId = created.body.orderId as string;
    const published = await call('POST', `/api/v1/social/orders/${orderId}/publish`, customer.token);
    assert.equal(published.status, 200, JSON.stringify(published.body));
    const application = await call('POST', `/api/v1/social/orders/${orderId}/applications`, executor.token, {
      characterId: executor.characterId,
      coverLetter: 'Fast and quiet',
    });
    assert.equal(application.status, 201, JSON.stringify(application.body));
    const accepted = await call(
      'POST',
      `/api/v1/social/orders/${orderId}/applications/${application.body.applicationId}/accept`,
      customer.token,
    );
    assert.equal(accepted.body.status, 'accepted');
    assert.equal(
      (await call('POST', `/api/v1/social/orders/${orderId}/start`, executor.token)).body.status,
      'in_progress',
    );
    return orderId;
  };
  const escrowOf = (token: string, orderId: string) =>
    waitFor(
      `the escrow of ${orderId} to settle`,
      async () => {
        const detail = await call('GET', `/api/v1/social/orders/${orderId}`, token);
        return detail.body.escrowStatus !== 'locked' ? detail.body : undefined;
      },
      { timeoutMs: 20_000 },
    );

  it('completes a journey and resolves a dispute 70/30, paying exactly that, the ledger balanced', async () => {
    const customer = await player('fixer');
    const executor = await player('runner');

    const done = await hired(customer, executor, 400);
    const delivered = await call('POST', `/api/v1/social/orders/${done}/deliver`, executor.token, {
      note: 'dropped off',
    });
    assert.equal(delivered.body.status, 'delivered');
    assert.equal(
      (await call('POST', `/api/v1/social/orders/${done}/complete`, customer.token)).body.status,
      'completed',
    );
    assert.equal((await escrowOf(customer.token, done)).escrowStatus, 'released');
    // 400 to the runner; the fixer paid 400 + 20 (5%, Bronze).
    assert.equal(await eddies(executor.token, executor.characterId), 1400);
    assert.equal(await eddies(customer.token, customer.characterId), 580);
    const review = await call('POST', `/api/v1/social/orders/${done}/reviews`, customer.token, { rating: 5 });
    assert.equal(review.status, 201, JSON.stringify(review.body));

    const fought = await hired(customer, executor, 200);
    const disputed = await call('POST', `/api/v1/social/orders/${fought}/dispute`, customer.token, {
      reason: 'Half the cargo is missing',
    });
    assert.equal(disputed.body.status, 'disputed');
    const arbiter = await login('arbiter', arbiterPassword);
    const queue = await call('GET', '/api/v1/social/disputes', arbiter);
    assert.ok(queue.body.items.some((item: { orderId: string }) => item.orderId === fought));
    const resolved = await call('POST', `/api/v1/social/orders/${fought}/resolve`, arbiter, {
      executorSharePercent: 70,
      note: 'Most of it arrived',
    });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    assert.equal((await escrowOf(customer.token, fought)).escrowStatus, 'split');
    // The customer's tier after one completed order prices the second order's commission.
    const commission = resolved.body.commission as number;
    assert.equal(await eddies(executor.token, executor.characterId), 1400 + 140);
    assert.equal(await eddies(customer.token, customer.characterId), 580 - 200 - commission + 60);

    const timeline = await call('GET', `/api/v1/social/orders/${fought}/timeline`, executor.token);
    assert.deepEqual(
      timeline.body.items
        .filter((e: { kind: string }) => e.kind === 'transition')
        .map((e: { toStatus: string }) => e.toStatus),
      ['draft', 'published', 'accepted', 'in_progress', 'disputed', 'resolved'],
    );
    const ratings = await call('GET', `/api/v1/social/ratings/${executor.characterId}`, customer.token);
    assert.equal(ratings.status, 200);
    assert.equal(ratings.body.executor.completed, 1);

    const admin = await login('admin', e2e.adminPassword);
    const audit = await call('GET', '/api/v1/economy/audit', admin);
    assert.equal(audit.body.balanced, true, JSON.stringify(audit.body));
  });
});
