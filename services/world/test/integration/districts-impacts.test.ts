/** Districts, unrest detail and history, impacts simulated and applied, on whatever the environment names. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { startWorld, type World } from '../support/harness.ts';

describe(`world districts and impacts on ${adapterLabel}`, () => {
  let world: World;
  let player: string;
  before(async () => {
    world = await startWorld();
    player = (await world.player()).token;
  });
  after(() => world.close());

  const impact = (districtId: string, deltaUnrest: number, extra: Record<string, unknown> = {}) => ({
    sourceType: 'manual',
    sourceId: `ops-${randomUUID()}`,
    districtId,
    deltaUnrest,
    ...extra,
  });

  it('lists the seeded districts publicly, with levels, tiers and no scenario', async () => {
    const list = await world.call('GET', '/api/v1/world/districts');
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(list.body.items, [
      { districtId: 'heywood', unrestLevel: 35, tier: 'tension', activeScenario: null },
      { districtId: 'watson', unrestLevel: 40, tier: 'unrest', activeScenario: null },
      { districtId: 'westbrook', unrestLevel: 55, tier: 'unrest', activeScenario: null },
    ]);
  });

  it('simulates an impact with modifiers and changes nothing', async () => {
    const before = (await world.published('world.unrest.updates')).length;
    const simulated = await world.call(
      'POST',
      '/api/v1/world/impact/simulate',
      player,
      impact('westbrook', 5, { modifiers: { weather: 'storm', crowdDensity: 'high', playerPresence: 50 } }),
    );
    assert.equal(simulated.status, 200, JSON.stringify(simulated.body));
    // 5 × 1.2 × 1.3 × 1.5 = 11.7: from 55 (unrest) to 66.7 (crisis).
    assert.equal(simulated.body.newUnrestLevel, 66.7);
    assert.equal(simulated.body.delta, 11.7);
    assert.equal(simulated.body.newTier, 'crisis');
    assert.equal(simulated.body.applied, false);
    assert.equal(simulated.body.projectedTrend, 'rising');
    assert.deepEqual(
      simulated.body.effects.map((effect: { code: string }) => effect.code),
      ['tier_changed', 'market_stress', 'escalation_risk'],
    );
    assert.deepEqual(simulated.body.recommendations, [
      { action: 'establish_checkpoints', tier: 'crisis', urgency: 0.67 },
    ]);
    assert.equal(await world.level('westbrook'), 55);
    assert.equal((await world.published('world.unrest.updates')).length, before);
  });

  it('lets only world.operator and admin apply, and applies once per Idempotency-Key', async () => {
    const body = impact('heywood', 3);
    const refused = await world.call('POST', '/api/v1/world/impact/apply', player, body);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'FORBIDDEN');
    const operator = await world.operatorToken();
    const key = { 'idempotency-key': `apply-${randomUUID()}` };
    const first = await world.call('POST', '/api/v1/world/impact/apply', operator, body, key);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.applied, true);
    assert.equal(first.body.newUnrestLevel, 38);
    const again = await world.call('POST', '/api/v1/world/impact/apply', operator, body, key);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const reused = await world.call('POST', '/api/v1/world/impact/apply', operator, impact('heywood', 4), key);
    assert.equal(reused.status, 422);
    assert.equal(reused.body.code, 'IDEMPOTENCY_KEY_REUSED');
    const admin = await world.call(
      'POST',
      '/api/v1/world/impact/apply',
      await world.adminToken(),
      impact('heywood', -3),
    );
    assert.equal(admin.status, 201, JSON.stringify(admin.body));
    assert.equal(await world.level('heywood'), 35);

    const updates = (await world.published('world.unrest.updates')).slice(-2);
    assert.deepEqual(
      updates.map(({ districtId, previousLevel, newLevel, delta, tier, minor }) => ({
        districtId,
        previousLevel,
        newLevel,
        delta,
        tier,
        minor,
      })),
      [
        { districtId: 'heywood', previousLevel: 35, newLevel: 38, delta: 3, tier: 'tension', minor: false },
        { districtId: 'heywood', previousLevel: 38, newLevel: 35, delta: -3, tier: 'tension', minor: false },
      ],
    );
    assert.equal(updates[0]?.impactId, first.body.impactId);
    assert.deepEqual(updates[0]?.recommendations, ['increase_patrols']);
  });

  it('marks a change under 2 as minor', async () => {
    await world.apply('heywood', 1.5);
    await world.apply('heywood', -1.5);
    const [up, down] = (await world.published('world.unrest.updates')).slice(-2);
    assert.equal(up?.minor, true);
    assert.equal(down?.minor, true);
    assert.equal(up?.delta, 1.5);
  });

  it('clamps levels at 100 and 0', async () => {
    const high = await world.apply('westbrook', 100);
    assert.equal(high.newUnrestLevel, 100);
    assert.equal(high.delta, 45);
    assert.equal(high.newTier, 'cataclysm');
    const over = await world.apply('westbrook', 5);
    assert.equal(over.newUnrestLevel, 100);
    assert.equal(over.delta, 0);
    assert.ok((over.effects as { code: string }[]).some((effect) => effect.code === 'clamped'));
    const low = await world.apply('westbrook', -100, { modifiers: { factionControl: 'gang' } });
    assert.equal(low.newUnrestLevel, 0);
    assert.equal(low.delta, -100);
    assert.equal(await world.level('westbrook'), 0);
    await world.apply('westbrook', 55);
  });

  it('applies concurrent impacts to one district without losing any', async () => {
    const operator = await world.operatorToken();
    const start = await world.level('watson');
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        world.call('POST', '/api/v1/world/impact/apply', operator, impact('watson', i % 2 === 0 ? 2 : -1), {
          'idempotency-key': `race-${i}-${randomUUID()}`,
        }),
      ),
    );
    assert.deepEqual(
      replies.map((reply) => reply.status),
      replies.map(() => 201),
    );
    assert.equal(await world.level('watson'), start + 10);
    const history = await world.call('GET', '/api/v1/world/unrest/watson/history?limit=20', player);
    // Each entry's level is the one before it plus its delta: the changes were serialized.
    const entries = [...history.body.items].reverse() as { delta: number; levelAfter: number }[];
    for (let i = 1; i < entries.length; i++) {
      assert.equal(
        entries[i]?.levelAfter,
        Math.round(((entries[i - 1]?.levelAfter ?? 0) + (entries[i]?.delta ?? 0)) * 100) / 100,
      );
    }
    // Each change's event was written with it, in the order of the changes: one level leads to the next.
    const updates = (await world.published('world.unrest.updates')).filter((u) => u.districtId === 'watson').slice(-20);
    assert.equal(updates.length, 20);
    for (let i = 1; i < updates.length; i++) assert.equal(updates[i]?.previousLevel, updates[i - 1]?.newLevel);
    assert.equal(updates.at(-1)?.newLevel, start + 10);
    await world.apply('watson', -10);
  });

  it('pages a district history newest first with a cursor', async () => {
    for (const delta of [1, 2, 3, 4, 5]) await world.apply('heywood', delta);
    const all: { delta: number; sourceType: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await world.call(
        'GET',
        `/api/v1/world/unrest/heywood/history?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        player,
      );
      assert.equal(page.status, 200, JSON.stringify(page.body));
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    assert.deepEqual(
      all.slice(0, 5).map((entry) => entry.delta),
      [5, 4, 3, 2, 1],
    );
    assert.ok(pages >= 3);
    assert.equal(new Set(all.map((entry) => JSON.stringify(entry))).size, all.length, 'no entry twice');
    assert.equal(all.at(-1)?.sourceType, 'seed');
    const first = all[0] as Record<string, unknown>;
    assert.equal(first.sourceType, 'manual');
    assert.equal(typeof first.actorId, 'string');
    assert.equal(first.levelAfter, await world.level('heywood'));
    const bad = await world.call('GET', '/api/v1/world/unrest/heywood/history?cursor=not-a-cursor', player);
    assert.equal(bad.status, 400);
    await world.apply('heywood', -15);
  });

  it('details a district: risk, active events, influence sources of the last hour, forecast', async () => {
    const orderId = randomUUID();
    await world.apply('westbrook', 3, { sourceType: 'order', sourceId: orderId });
    await world.apply('westbrook', 2, { sourceType: 'order', sourceId: orderId });
    await world.apply('westbrook', -1);
    const detail = await world.call('GET', '/api/v1/world/unrest/westbrook', player);
    assert.equal(detail.status, 200, JSON.stringify(detail.body));
    assert.equal(detail.body.currentLevel, 59);
    assert.equal(detail.body.tier, 'unrest');
    assert.equal(detail.body.safeThreshold, 40);
    assert.equal(detail.body.riskLevel, 'elevated');
    assert.deepEqual(detail.body.activeEvents, []);
    // The clamping test's three big moves lead; the order's two impacts sum to 5.
    const sources = detail.body.influenceSources as { sourceType: string; sourceId: string; totalDelta: number }[];
    assert.ok(sources.length <= 5);
    assert.deepEqual(
      sources.find((source) => source.sourceId === orderId),
      { sourceType: 'order', sourceId: orderId, totalDelta: 5, impacts: 2 },
    );
    const sizes = sources.map((source) => Math.abs(source.totalDelta));
    assert.deepEqual(
      sizes,
      [...sizes].sort((a, b) => b - a),
    );
    assert.equal(detail.body.forecast.method, 'least_squares');
    assert.ok(detail.body.forecast.points >= 3);
    assert.ok(Date.parse(detail.body.lastUpdated) <= Date.now());

    const impacts = await world.call('GET', `/api/v1/world/impact/orders/${orderId}`, player);
    assert.deepEqual(
      impacts.body.items.map((item: { delta: number }) => item.delta),
      [2, 3],
    );
    const missing = await world.call('GET', '/api/v1/world/unrest/night_city', player);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'NOT_FOUND');
    const simulateMissing = await world.call('POST', '/api/v1/world/impact/simulate', player, impact('pacifica', 1));
    assert.equal(simulateMissing.status, 404);
    await world.apply('westbrook', -4);
  });

  it('recommends actions by urgency, for the city or one district', async () => {
    const city = await world.call('GET', '/api/v1/world/impact/recommendations', player);
    assert.equal(city.status, 200, JSON.stringify(city.body));
    assert.deepEqual(
      city.body.items.map((item: { districtId: string; action: string }) => [item.districtId, item.action]),
      [
        ['westbrook', 'deploy_relief_convoy'],
        ['watson', 'deploy_relief_convoy'],
        ['heywood', 'increase_patrols'],
      ],
    );
    const one = await world.call('GET', '/api/v1/world/impact/recommendations?districtId=westbrook', player);
    assert.deepEqual(one.body.items, [
      { districtId: 'westbrook', level: 55, action: 'deploy_relief_convoy', tier: 'unrest', urgency: 0.55 },
    ]);
  });

  it('refuses malformed impacts with 400 and changes nothing', async () => {
    const operator = await world.operatorToken();
    for (const body of [
      impact('watson', 101),
      impact('watson', 1, { sourceType: 'rumour' }),
      impact('watson', 1, { modifiers: { weather: 'acid_rain' } }),
      impact('watson', 1, { modifiers: { playerPresence: 101 } }),
      impact('watson', 1, { extra: true }),
      { ...impact('watson', 1), sourceId: '' },
    ]) {
      const reply = await world.call('POST', '/api/v1/world/impact/apply', operator, body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.code, 'VALIDATION_ERROR');
    }
    assert.equal(await world.level('watson'), 40);
  });
});
