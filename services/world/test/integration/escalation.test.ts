/**
 * Escalation: a district that dwells at or above a tier's floor for 10 game minutes starts that
 * tier's scenario (here TIME_SCALE 60: 10 wall seconds), at most one active per district; live ops
 * complete (unrest falls by 10, 15 for blackwall_breach), cancel, or start one by hand. The test
 * drives the escalation schedule with explicit dates.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { startWorld, type World } from '../support/harness.ts';

const DWELL_MS = 10_000;

describe(`world escalation scenarios on ${adapterLabel} (TIME_SCALE 60)`, () => {
  let world: World;
  let player: string;
  let operator: string;
  before(async () => {
    world = await startWorld({ TIME_SCALE: '60' });
    player = (await world.player()).token;
    operator = await world.operatorToken();
  });
  after(() => world.close());

  const lastUpdated = async (districtId: string) =>
    Date.parse((await world.call('GET', `/api/v1/world/unrest/${districtId}`, player)).body.lastUpdated);
  const active = async () => {
    const list = await world.call('GET', '/api/v1/world/scenarios?status=active', player);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    return Object.fromEntries(
      (list.body.items as { districtId: string; kind: string; scenarioId: string }[]).map((item) => [
        item.districtId,
        item,
      ]),
    );
  };
  const kinds = async () => Object.fromEntries(Object.entries(await active()).map(([id, item]) => [id, item.kind]));
  const end = (scenarioId: string, action: 'complete' | 'cancel', token = operator) =>
    world.call('POST', `/api/v1/world/scenarios/${scenarioId}/${action}`, token);

  it("starts each district's tier scenario once its dwell has passed, and only one", async () => {
    const openedAt = await lastUpdated('heywood');
    await world.schedules.escalation.tick(new Date(openedAt + DWELL_MS - 1));
    assert.deepEqual(await kinds(), {});
    await world.schedules.escalation.tick(new Date(openedAt + DWELL_MS));
    const expected = { heywood: 'street_protest', watson: 'logistics_sabotage', westbrook: 'logistics_sabotage' };
    assert.deepEqual(await kinds(), expected);
    await world.schedules.escalation.tick(new Date(openedAt + 5 * DWELL_MS));
    assert.deepEqual(await kinds(), expected);
    const started = await world.published('world.scenarios');
    assert.deepEqual(started.map((event) => [event.districtId, event.kind, event.status]).sort(), [
      ['heywood', 'street_protest', 'started'],
      ['watson', 'logistics_sabotage', 'started'],
      ['westbrook', 'logistics_sabotage', 'started'],
    ]);
    const districts = await world.call('GET', '/api/v1/world/districts');
    const westbrook = districts.body.items.find((item: { districtId: string }) => item.districtId === 'westbrook');
    assert.equal(westbrook.activeScenario.kind, 'logistics_sabotage');
    const detail = await world.call('GET', '/api/v1/world/unrest/westbrook', player);
    assert.deepEqual(
      detail.body.activeEvents.map((event: { type: string; kind: string }) => [event.type, event.kind]),
      [['scenario', 'logistics_sabotage']],
    );
  });

  it('lets world.operator complete a scenario once, lowering unrest by 10, and restarts the dwell', async () => {
    const scenario = (await active()).westbrook;
    assert.ok(scenario);
    const refused = await end(scenario.scenarioId, 'complete', player);
    assert.equal(refused.status, 403);
    const completed = await end(scenario.scenarioId, 'complete');
    assert.equal(completed.status, 200, JSON.stringify(completed.body));
    assert.equal(completed.body.status, 'completed');
    assert.equal(await world.level('westbrook'), 45);
    const again = await end(scenario.scenarioId, 'complete');
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'INVALID_STATE');
    assert.equal(await world.level('westbrook'), 45);
    const [update] = (await world.published('world.unrest.updates')).slice(-1);
    assert.deepEqual(
      [update?.districtId, update?.sourceType, update?.sourceId, update?.delta],
      ['westbrook', 'scenario', scenario.scenarioId, -10],
    );
    const [event] = (await world.published('world.scenarios')).slice(-1);
    assert.deepEqual([event?.scenarioId, event?.status], [scenario.scenarioId, 'completed']);

    const completedAt = Date.parse(completed.body.endedAt);
    await world.schedules.escalation.tick(new Date(completedAt + DWELL_MS - 1));
    assert.equal((await active()).westbrook, undefined, 'the next scenario needs a dwell of its own');
    await world.schedules.escalation.tick(new Date(completedAt + DWELL_MS));
    assert.equal((await active()).westbrook?.kind, 'logistics_sabotage');
  });

  it('stops the clock when a district falls below the floor, and starts the highest due tier', async () => {
    const scenario = (await active()).heywood;
    assert.ok(scenario);
    const cancelled = await end(scenario.scenarioId, 'cancel');
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal(await world.level('heywood'), 35, 'a cancel leaves unrest as it is');
    assert.equal((await world.published('world.scenarios')).at(-1)?.status, 'cancelled');

    await world.apply('heywood', -20);
    await world.schedules.escalation.tick(new Date(Date.now() + 100 * DWELL_MS));
    assert.equal((await active()).heywood, undefined, 'a stable district does not escalate');

    const raised = await world.apply('heywood', 70);
    assert.equal(raised.newTier, 'cataclysm');
    const raisedAt = await lastUpdated('heywood');
    await world.schedules.escalation.tick(new Date(raisedAt + DWELL_MS));
    const breach = (await active()).heywood;
    assert.equal(breach?.kind, 'blackwall_breach');
    const completed = await end(breach?.scenarioId as string, 'complete');
    assert.equal(completed.status, 200);
    assert.equal(await world.level('heywood'), 70, 'blackwall_breach lowers unrest by 15');
  });

  it('lets an operator start a scenario by hand, one per district whatever the race', async () => {
    const start = (body: Record<string, unknown>) => world.call('POST', '/api/v1/world/scenarios', operator, body);
    const busy = await start({ districtId: 'watson' });
    assert.equal(busy.status, 409);
    assert.equal(busy.body.code, 'CONFLICT');
    const watson = (await active()).watson;
    assert.equal((await end(watson?.scenarioId as string, 'cancel')).status, 200);

    const replies = await Promise.all(Array.from({ length: 12 }, () => start({ districtId: 'watson' })));
    const statuses = replies.map((reply) => reply.status).sort();
    assert.deepEqual(statuses, [201, ...Array.from({ length: 11 }, () => 409)]);
    const created = replies.find((reply) => reply.status === 201);
    assert.deepEqual(
      [created?.body.kind, created?.body.origin, created?.body.status],
      ['logistics_sabotage', 'operator', 'active'],
    );
    assert.equal((await end(created?.body.scenarioId, 'cancel')).status, 200);

    await world.apply('watson', -35);
    const stable = await start({ districtId: 'watson' });
    assert.equal(stable.status, 409, 'a stable district has no scenario of its own');
    assert.equal(stable.body.code, 'INVALID_STATE');
    const named = await start({ districtId: 'watson', kind: 'neon_riot' });
    assert.equal(named.status, 201, JSON.stringify(named.body));
    assert.equal(named.body.kind, 'neon_riot');
    assert.equal((await start({ districtId: 'pacifica' })).status, 404);
    assert.equal((await world.call('POST', '/api/v1/world/scenarios', player, { districtId: 'watson' })).status, 403);
  });

  it('lists scenarios newest first with filters and a cursor', async () => {
    const all: { districtId: string; status: string }[] = [];
    let cursor: string | null = null;
    do {
      const page = await world.call(
        'GET',
        `/api/v1/world/scenarios?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        player,
      );
      assert.equal(page.status, 200, JSON.stringify(page.body));
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    // Three by escalation, one more in westbrook, the breach, two by hand in watson.
    assert.equal(all.length, 7);
    const westbrook = await world.call('GET', '/api/v1/world/scenarios?districtId=westbrook&status=completed', player);
    assert.equal(westbrook.body.items.length, 1);
    assert.equal(
      (await world.call('GET', '/api/v1/world/scenarios?status=finished', player)).status,
      400,
      'an unknown status is a validation error',
    );
  });
});
