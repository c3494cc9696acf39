/**
 * The city's reactions to other services' events (DOMAIN.md's rule table), each counted once
 * whatever the redeliveries and restarts, and the drift of a quiet district, on whatever the
 * environment names.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { craftingEvent, orderEvent, shotEvent, startWorld, type World } from '../support/harness.ts';

const HOUR = 3_600_000;

describe(`world reactions to events on ${adapterLabel}`, () => {
  let world: World;
  let player: string;
  before(async () => {
    world = await startWorld();
    player = (await world.player()).token;
  });
  after(() => world.close());

  /** Delivers `events`, each through the bus, and returns how far they moved the district. */
  const moved = async (districtId: string, deliver: () => Promise<unknown>) => {
    const before = await world.level(districtId);
    await deliver();
    return Math.round(((await world.level(districtId)) - before) * 100) / 100;
  };

  for (const [orderType, delta] of [
    ['combat', -4],
    ['hacking', 3],
    ['logistics', -2],
    ['crafting', -1],
    ['social', -3],
  ] as const) {
    it(`moves the district by ${delta} when a ${orderType} order completes`, async () => {
      const event = orderEvent('watson', { fromStatus: 'delivered', toStatus: 'completed', orderType });
      assert.equal(await moved('watson', () => world.deliver('social.orders.lifecycle', event.orderId, event)), delta);
      const impacts = await world.call('GET', `/api/v1/world/impact/orders/${event.orderId}`, player);
      assert.deepEqual(
        impacts.body.items.map((item: { delta: number; sourceType: string; actorId: string }) => [
          item.sourceType,
          item.delta,
          item.actorId,
        ]),
        [['order', delta, event.actorId]],
      );
    });
  }

  it('raises a district by 2 for a dispute and by 1 for a cancel after accept, and not for other steps', async () => {
    const disputed = orderEvent('heywood', { fromStatus: 'delivered', toStatus: 'disputed', orderType: 'combat' });
    assert.equal(await moved('heywood', () => world.deliver('social.orders.lifecycle', disputed.orderId, disputed)), 2);
    const cancelled = orderEvent('heywood', { fromStatus: 'accepted', toStatus: 'cancelled', orderType: 'social' });
    assert.equal(
      await moved('heywood', () => world.deliver('social.orders.lifecycle', cancelled.orderId, cancelled)),
      1,
    );
    const quiet = [
      orderEvent('heywood', { fromStatus: 'published', toStatus: 'cancelled', orderType: 'combat' }),
      orderEvent('heywood', { fromStatus: 'accepted', toStatus: 'in_progress', orderType: 'combat' }),
      orderEvent('heywood', { fromStatus: 'delivered', toStatus: 'completed', orderType: 'racing' }),
      orderEvent('pacifica', { fromStatus: 'delivered', toStatus: 'completed', orderType: 'combat' }),
    ];
    assert.equal(
      await moved('heywood', () =>
        world.deliverAll(
          'social.orders.lifecycle',
          quiet.map((payload) => ({ key: payload.orderId, payload })),
        ),
      ),
      0,
    );
  });

  it('counts a redelivered event once', async () => {
    const event = orderEvent('westbrook', { fromStatus: 'delivered', toStatus: 'completed', orderType: 'combat' });
    const eventId = randomUUID();
    const delta = await moved('westbrook', async () => {
      await world.deliver('social.orders.lifecycle', event.orderId, event, eventId);
      await world.deliver('social.orders.lifecycle', event.orderId, event, eventId);
      await world.deliverAll('social.orders.lifecycle', [
        { key: event.orderId, payload: event, eventId },
        { key: event.orderId, payload: event, eventId },
      ]);
    });
    assert.equal(delta, -4);
    const impacts = await world.call('GET', `/api/v1/world/impact/orders/${event.orderId}`, player);
    assert.equal(impacts.body.items.length, 1);
  });

  it('raises a district by 1 for every 20th ballistics event there, counting across batches and restarts', async () => {
    const combatId = randomUUID();
    const shots = (count: number, districtId: string | null = 'westbrook') =>
      Array.from({ length: count }, () => ({ key: combatId, payload: shotEvent(districtId, combatId) }));
    assert.equal(await moved('westbrook', () => world.deliverAll('combat.ballistics.events', shots(19))), 0);
    // Shots with no district, or elsewhere, count elsewhere or not at all.
    assert.equal(await moved('westbrook', () => world.deliverAll('combat.ballistics.events', shots(5, null))), 0);
    assert.equal(await moved('westbrook', () => world.deliverAll('combat.ballistics.events', shots(3, 'heywood'))), 0);
    assert.equal(
      await moved('westbrook', () => world.deliverAll('combat.ballistics.events', shots(30, 'pacifica'))),
      0,
    );
    await world.stop();
    await world.start();
    // The 20th and the 40th (after the restart, the count carries on).
    assert.equal(await moved('westbrook', () => world.deliverAll('combat.ballistics.events', shots(21))), 2);
    const duplicated = shots(1)[0] as { key: string; payload: ReturnType<typeof shotEvent> };
    const eventId = randomUUID();
    assert.equal(
      await moved('westbrook', async () => {
        for (let i = 0; i < 25; i++) {
          await world.deliver('combat.ballistics.events', combatId, duplicated.payload, eventId);
        }
      }),
      0,
      'one event redelivered 25 times is counted once: the 41st',
    );
    const impacts = await world.call('GET', `/api/v1/world/impact/combat/${combatId}`, player);
    assert.deepEqual(
      impacts.body.items.map((item: { delta: number; sourceType: string }) => [item.sourceType, item.delta]),
      [
        ['combat', 1],
        ['combat', 1],
      ],
    );
    const first = await world.call('GET', `/api/v1/world/impact/combat/${combatId}?limit=1`, player);
    assert.equal(first.body.items.length, 1);
    const second = await world.call(
      'GET',
      `/api/v1/world/impact/combat/${combatId}?limit=1&cursor=${first.body.nextCursor}`,
      player,
    );
    assert.equal(second.body.items.length, 1);
    assert.notEqual(second.body.items[0].impactId, first.body.items[0].impactId);
    assert.equal(second.body.nextCursor, null);
    assert.equal(await moved('westbrook', () => world.deliverAll('combat.ballistics.events', shots(19))), 1);
  });

  it("lowers a district by 1 for every 10th completed crafting job in its workshops, by economy's workshop table", async () => {
    const jobs = (count: number, workshopId = 'bunker_forge', status = 'completed') =>
      Array.from({ length: count }, () => {
        const payload = craftingEvent(workshopId, status);
        return { key: payload.jobId, payload };
      });
    assert.equal(await moved('heywood', () => world.deliverAll('economy.crafting.jobs', jobs(9))), 0);
    assert.equal(
      await moved('heywood', () => world.deliverAll('economy.crafting.jobs', jobs(5, 'bunker_forge', 'processing'))),
      0,
    );
    assert.equal(await moved('heywood', () => world.deliverAll('economy.crafting.jobs', jobs(5, 'corpo_lab'))), 0);
    assert.equal(await moved('heywood', () => world.deliverAll('economy.crafting.jobs', jobs(3, 'moon_base'))), 0);
    await world.stop();
    await world.start();
    assert.equal(await moved('heywood', () => world.deliverAll('economy.crafting.jobs', jobs(1))), -1);
    assert.equal(await moved('westbrook', () => world.deliverAll('economy.crafting.jobs', jobs(5, 'corpo_lab'))), -1);
    const updates = (await world.published('world.unrest.updates')).filter((u) => u.sourceType === 'crafting');
    assert.deepEqual(
      updates.map(({ districtId, delta, minor }) => [districtId, delta, minor]),
      [
        ['heywood', -1, true],
        ['westbrook', -1, true],
      ],
    );
  });

  it('clamps reactions at 0 and 100', async () => {
    const operator = await world.operatorToken();
    const push = (delta: number) =>
      world.call('POST', '/api/v1/world/impact/apply', operator, {
        sourceType: 'manual',
        sourceId: 'clamp',
        districtId: 'watson',
        deltaUnrest: delta,
      });
    await push(-100);
    const completed = orderEvent('watson', { fromStatus: 'delivered', toStatus: 'completed', orderType: 'combat' });
    await world.deliver('social.orders.lifecycle', completed.orderId, completed);
    assert.equal(await world.level('watson'), 0);
    await push(100);
    const hack = orderEvent('watson', { fromStatus: 'delivered', toStatus: 'completed', orderType: 'hacking' });
    await world.deliver('social.orders.lifecycle', hack.orderId, hack);
    assert.equal(await world.level('watson'), 100);
    const [last] = (await world.published('world.unrest.updates')).slice(-1);
    assert.deepEqual([last?.previousLevel, last?.newLevel, last?.delta, last?.minor], [100, 100, 0, true]);
    await push(-60);
  });

  it('drifts a district one point toward 30 after each hour without a change (TIME_SCALE 1), once across ticks', async () => {
    const detail = await world.call('GET', '/api/v1/world/unrest/westbrook', player);
    const level = detail.body.currentLevel as number;
    assert.ok(level > 31, String(level));
    const lastChange = Date.parse(detail.body.lastUpdated);
    assert.equal(await world.schedules.drift.tick(new Date(lastChange + HOUR - 1_000)), true);
    assert.equal(await world.level('westbrook'), level, 'not quiet for an hour yet');
    await world.schedules.drift.tick(new Date(lastChange + HOUR));
    assert.equal(await world.level('westbrook'), level - 1);
    await world.schedules.drift.tick(new Date(lastChange + HOUR + 60_000));
    assert.equal(await world.level('westbrook'), level - 1, 'the drift is a change: the next needs another hour');
    await world.schedules.drift.tick(new Date(lastChange + 2 * HOUR + 1));
    assert.equal(await world.level('westbrook'), level - 2);
    const history = await world.call('GET', '/api/v1/world/unrest/westbrook/history?limit=1', player);
    assert.deepEqual(
      [history.body.items[0].sourceType, history.body.items[0].delta, history.body.items[0].actorId],
      ['drift', -1, null],
    );
    // Below 30 it rises; at 30 it rests.
    await world.apply('heywood', 29.5 - (await world.level('heywood')));
    const heywoodChange = Date.parse(
      (await world.call('GET', '/api/v1/world/unrest/heywood', player)).body.lastUpdated,
    );
    await world.schedules.drift.tick(new Date(heywoodChange + HOUR));
    assert.equal(await world.level('heywood'), 30);
    await world.schedules.drift.tick(new Date(heywoodChange + 3 * HOUR));
    assert.equal(await world.level('heywood'), 30);
  });
});
