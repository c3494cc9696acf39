import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Surface } from '../../src/domain/names.ts';
import {
  naturalRicochet,
  naturalRicochetPossible,
  ricochetPath,
  smartRicochetChain,
  smartRicochetEnabled,
} from '../../src/domain/ricochet.ts';
import { near } from './fixtures.ts';

const multipliers = (steps: { damageMultiplier: number }[]) => steps.map((s) => s.damageMultiplier);

describe('Smart Ricochet', () => {
  it('needs ricochet rounds and a smart scope', () => {
    assert.equal(smartRicochetEnabled('ricochet_rounds', { scope: 'scope_smart_mk1' }), true);
    assert.equal(smartRicochetEnabled('ricochet_rounds', { scope: 'scope_smart_mk2' }), true);
    assert.equal(smartRicochetEnabled('ricochet_rounds', { scope: 'scope_thermal' }), false);
    assert.equal(smartRicochetEnabled('ricochet_rounds', {}), false);
    assert.equal(smartRicochetEnabled('standard', { scope: 'scope_smart_mk1' }), false);
  });
  for (const surface of ['metal', 'concrete', 'glass'] as Surface[]) {
    it(`bounces twice on ${surface}, each −15% of what is left: 0.85, 0.85² = 0.7225`, () => {
      const chain = smartRicochetChain(surface, false);
      assert.deepEqual(
        chain.map((s) => s.surface),
        [surface, surface],
      );
      const [first, second] = multipliers(chain);
      near(first ?? 0, 0.85);
      near(second ?? 0, 0.7225);
    });
  }
  it('bounces three times with tactical_bounce, −5% each: 0.95, 0.9025, 0.857375', () => {
    const [a, b, c, d] = multipliers(smartRicochetChain('metal', true));
    near(a ?? 0, 0.95);
    near(b ?? 0, 0.9025);
    near(c ?? 0, 0.857375);
    assert.equal(d, undefined);
  });
  it('stops on organic and shield', () => {
    assert.deepEqual(smartRicochetChain('organic', true), []);
    assert.deepEqual(smartRicochetChain('shield', false), []);
  });
});

// [surface, angle, roll, bounces, why]
const natural: [Surface, number, number, number, string][] = [
  ['metal', 36, 0, 1, 'metal above 35°, roll 0'],
  ['metal', 40, 0.2499, 1, 'roll just below 0.25'],
  ['metal', 40, 0.25, 0, 'roll at 0.25 misses the 25%'],
  ['metal', 35, 0, 0, '35° is not above 35°'],
  ['metal', 35.001, 0, 1, 'just above 35°'],
  ['concrete', 90, 0.1, 1, 'concrete reflects'],
  ['glass', 80, 0, 0, 'glass: no natural ricochet'],
  ['organic', 80, 0, 0, 'organic stops it'],
  ['shield', 80, 0, 0, 'shield stops it'],
];

describe('natural ricochet', () => {
  for (const [surface, angle, roll, bounces, why] of natural) {
    it(`${surface} at ${angle}°, roll ${roll} → ${bounces} bounce (${why})`, () => {
      const path = naturalRicochet(surface, angle, roll);
      assert.equal(path.length, bounces);
      if (bounces === 1) assert.deepEqual(path, [{ surface, damageMultiplier: 0.4 }]);
      assert.equal(naturalRicochetPossible(surface, angle), bounces === 1 || roll >= 0.25);
    });
  }
});

describe('the shot’s ricochet path', () => {
  const base = { ammo: 'ricochet_rounds' as const, surface: 'metal' as const, angleDegrees: 0, tacticalBounce: false };
  it('uses Smart rules when enabled, whatever the angle and roll', () => {
    const path = ricochetPath({ ...base, mods: { scope: 'scope_smart_mk1' } }, 0.99);
    assert.equal(path.kind, 'smart');
    assert.equal(path.path.length, 2);
  });
  it('falls back to natural rules without a smart scope', () => {
    assert.deepEqual(ricochetPath({ ...base, mods: {}, angleDegrees: 50 }, 0.1), {
      kind: 'natural',
      path: [{ surface: 'metal', damageMultiplier: 0.4 }],
    });
    assert.deepEqual(ricochetPath({ ...base, mods: {}, angleDegrees: 50 }, 0.5), { kind: 'none', path: [] });
  });
  it('a Smart chain stopped by its surface does not try a natural one', () => {
    const path = ricochetPath({ ...base, mods: { scope: 'scope_smart_mk2' }, surface: 'shield', angleDegrees: 80 }, 0);
    assert.deepEqual(path, { kind: 'none', path: [] });
  });
});
