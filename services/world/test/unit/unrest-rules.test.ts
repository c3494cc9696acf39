import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forecastOf, trendOf } from '../../src/domain/forecast.ts';
import { isDistrict, orderDelta, thresholdCrossings, workshopDistrict } from '../../src/domain/reactions.ts';
import {
  changeLevel,
  clampLevel,
  driftDelta,
  dwellSecondsOf,
  dwellTiers,
  effectsOf,
  isMinor,
  multiplierOf,
  quietMsOf,
  recommendationsFor,
  riskOf,
  scenarioOf,
  tierOf,
} from '../../src/domain/unrest.ts';

describe('unrest tiers and levels', () => {
  for (const [level, tier] of [
    [0, 'stable'],
    [19.99, 'stable'],
    [20, 'tension'],
    [39.99, 'tension'],
    [40, 'unrest'],
    [59, 'unrest'],
    [60, 'crisis'],
    [79.5, 'crisis'],
    [80, 'cataclysm'],
    [100, 'cataclysm'],
  ] as const) {
    it(`puts ${level} in ${tier}`, () => assert.equal(tierOf(level), tier));
  }
  it('names each tier a risk', () => {
    assert.deepEqual(
      (['stable', 'tension', 'unrest', 'crisis', 'cataclysm'] as const).map((tier) => riskOf(tier)),
      ['low', 'moderate', 'elevated', 'high', 'critical'],
    );
  });
  for (const [previous, delta, newLevel, moved, clamped] of [
    [40, -4, 36, -4, false],
    [98, 5, 100, 2, true],
    [100, 1, 100, 0, true],
    [1, -3, 0, -1, true],
    [0, -1, 0, 0, true],
    [55, 0.1 + 0.2, 55.3, 0.3, false],
  ] as const) {
    it(`moves ${previous} by ${delta} to ${newLevel} (clamped: ${clamped})`, () => {
      assert.deepEqual(changeLevel(previous, delta), { previousLevel: previous, newLevel, delta: moved, clamped });
    });
  }
  it('clamps to 0-100 and keeps two decimals', () => {
    assert.equal(clampLevel(-5), 0);
    assert.equal(clampLevel(250), 100);
    assert.equal(clampLevel(33.3333), 33.33);
  });
  it('marks changes smaller than 2 as minor', () => {
    assert.equal(isMinor(1.99), true);
    assert.equal(isMinor(-1), true);
    assert.equal(isMinor(0), true);
    assert.equal(isMinor(2), false);
    assert.equal(isMinor(-4), false);
  });
});

describe('modifiers', () => {
  for (const [modifiers, factor] of [
    [undefined, 1],
    [{}, 1],
    [{ weather: 'rain' }, 0.9],
    [{ weather: 'storm' }, 1.2],
    [{ crowdDensity: 'low' }, 0.8],
    [{ crowdDensity: 'high' }, 1.3],
    [{ factionControl: 'ncpd' }, 0.8],
    [{ factionControl: 'gang' }, 1.2],
    [{ playerPresence: 50 }, 1.5],
    [{ playerPresence: 100 }, 2],
    [{ weather: 'storm', crowdDensity: 'high', factionControl: 'gang', playerPresence: 25 }, 1.2 * 1.3 * 1.2 * 1.25],
  ] as const) {
    it(`multiplies by ${factor} for ${JSON.stringify(modifiers)}`, () => {
      assert.ok(Math.abs(multiplierOf(modifiers) - factor) < 1e-9, String(multiplierOf(modifiers)));
    });
  }
});

describe('reactions to events', () => {
  for (const [fromStatus, toStatus, orderType, delta] of [
    ['delivered', 'completed', 'combat', -4],
    ['delivered', 'completed', 'hacking', 3],
    ['delivered', 'completed', 'logistics', -2],
    ['delivered', 'completed', 'crafting', -1],
    ['delivered', 'completed', 'social', -3],
    ['delivered', 'completed', 'toString', undefined],
    ['in_progress', 'disputed', 'combat', 2],
    ['accepted', 'cancelled', 'combat', 1],
    ['published', 'cancelled', 'combat', undefined],
    [null, 'published', 'combat', undefined],
    ['accepted', 'in_progress', 'hacking', undefined],
  ] as const) {
    it(`moves ${toStatus} (from ${fromStatus}) ${orderType} orders by ${delta}`, () => {
      assert.equal(orderDelta({ fromStatus, toStatus, orderType }), delta);
    });
  }
  for (const [before, added, every, crossings] of [
    [0, 19, 20, []],
    [0, 20, 20, [19]],
    [19, 1, 20, [0]],
    [19, 22, 20, [0, 20]],
    [0, 40, 20, [19, 39]],
    [20, 19, 20, []],
    [7, 3, 10, [2]],
  ] as const) {
    it(`counts ${added} more after ${before}: every ${every}th at ${JSON.stringify(crossings)}`, () => {
      assert.deepEqual(thresholdCrossings(before, added, every), crossings);
    });
  }
  it("maps economy's workshops to their districts", () => {
    assert.equal(workshopDistrict('street_garage'), 'watson');
    assert.equal(workshopDistrict('corpo_lab'), 'westbrook');
    assert.equal(workshopDistrict('bunker_forge'), 'heywood');
    assert.equal(workshopDistrict('constructor'), undefined);
    assert.equal(isDistrict('watson'), true);
    assert.equal(isDistrict('hasOwnProperty'), false);
  });
});

describe('drift, escalation and recommendations', () => {
  for (const [level, delta] of [
    [40, -1],
    [30.5, -0.5],
    [30, 0],
    [29.25, 0.75],
    [0, 1],
  ] as const) {
    it(`drifts ${level} by ${delta}`, () => assert.equal(driftDelta(level), delta));
  }
  it('scales the dwell and the quiet hour by TIME_SCALE', () => {
    assert.equal(dwellSecondsOf(1), 600);
    assert.equal(dwellSecondsOf(60), 10);
    assert.equal(quietMsOf(1), 3_600_000);
    assert.equal(quietMsOf(3_600), 1_000);
  });
  it("starts each tier's scenario from tension up", () => {
    assert.equal(scenarioOf('stable'), undefined);
    assert.equal(scenarioOf('tension'), 'street_protest');
    assert.equal(scenarioOf('unrest'), 'logistics_sabotage');
    assert.equal(scenarioOf('crisis'), 'neon_riot');
    assert.equal(scenarioOf('cataclysm'), 'blackwall_breach');
    assert.deepEqual(dwellTiers('stable'), []);
    assert.deepEqual(dwellTiers('crisis'), ['tension', 'unrest', 'crisis']);
  });
  for (const [level, action, urgency] of [
    [10, undefined, undefined],
    [25, 'increase_patrols', 0.25],
    [55, 'deploy_relief_convoy', 0.55],
    [61, 'establish_checkpoints', 0.61],
    [93, 'evacuate_civilians', 0.93],
  ] as const) {
    it(`recommends ${action} at ${level}`, () => {
      assert.deepEqual(recommendationsFor(level), action ? [{ action, tier: tierOf(level), urgency }] : []);
    });
  }
  it('names the effects of a change: tier, bound, market stress, escalation', () => {
    assert.deepEqual(effectsOf(changeLevel(55, 10), { scenarioActive: false, timeScale: 2 }), [
      { code: 'tier_changed', from: 'unrest', to: 'crisis' },
      { code: 'market_stress', craftingDurationMultiplier: 1.1 },
      { code: 'escalation_risk', scenario: 'neon_riot', dwellSeconds: 300 },
    ]);
    assert.deepEqual(effectsOf(changeLevel(99, 10), { scenarioActive: true, timeScale: 1 }), [
      { code: 'clamped', bound: 100 },
      { code: 'market_stress', craftingDurationMultiplier: 1.1 },
    ]);
    assert.deepEqual(effectsOf(changeLevel(12, -4), { scenarioActive: false, timeScale: 1 }), []);
  });
});

describe('forecast', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

  it('holds the level without two points in time', () => {
    const none = forecastOf([], 42, now);
    assert.equal(none.projectedLevel, 42);
    assert.equal(none.slopePerHour, 0);
    assert.equal(none.trend, 'stable');
    assert.equal(none.at, '2026-03-01T13:00:00.000Z');
    const one = forecastOf([{ at: minutesAgo(5), level: 50 }], 50, now);
    assert.equal(one.projectedLevel, 50);
    assert.equal(one.points, 1);
  });
  it('projects an exact line one hour ahead', () => {
    // +10 per hour: 40 two hours ago, 50 one hour ago, 60 now.
    const points = [120, 60, 0].map((minutes, i) => ({ at: minutesAgo(minutes), level: 40 + 10 * i }));
    const forecast = forecastOf(points, 60, now);
    assert.equal(forecast.slopePerHour, 10);
    assert.equal(forecast.projectedLevel, 70);
    assert.equal(forecast.projectedTier, 'crisis');
    assert.equal(forecast.trend, 'rising');
  });
  it('fits the least-squares line through scattered points, in any order', () => {
    // x (hours from now) = -3, -2, -1, 0; y = 50, 48, 47, 43: slope -2.2, mean (-1.5, 47) → at +1: 47 - 2.2 * 2.5 = 41.5.
    const points = [
      { at: minutesAgo(60), level: 47 },
      { at: minutesAgo(180), level: 50 },
      { at: now, level: 43 },
      { at: minutesAgo(120), level: 48 },
    ];
    const forecast = forecastOf(points, 43, now);
    assert.equal(forecast.slopePerHour, -2.2);
    assert.equal(forecast.projectedLevel, 41.5);
    assert.equal(forecast.trend, 'falling');
  });
  it('uses only the last 30 points and clamps the projection', () => {
    const old = Array.from({ length: 10 }, (_, i) => ({ at: minutesAgo(1_000 + i), level: 0 }));
    const recent = Array.from({ length: 30 }, (_, i) => ({ at: minutesAgo(30 - i), level: 70 + i }));
    const forecast = forecastOf([...old, ...recent], 99, now);
    assert.equal(forecast.points, 30);
    assert.equal(forecast.slopePerHour, 60);
    assert.equal(forecast.projectedLevel, 100);
  });
  it('calls a slope within ±0.5 per hour stable', () => {
    assert.equal(trendOf(0.5), 'stable');
    assert.equal(trendOf(0.51), 'rising');
    assert.equal(trendOf(-0.51), 'falling');
  });
});
