import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ammoMultiplier,
  armorMultiplier,
  damagePerHit,
  expectedDamage,
  modsDamageMultiplier,
} from '../../src/domain/damage.ts';
import type { AmmoType, ArmorTier } from '../../src/domain/names.ts';
import { near } from './fixtures.ts';

// [armor, ammo, armor multiplier, arithmetic]
const armorTable: [ArmorTier, AmmoType, number, string][] = [
  ['none', 'standard', 1, 'no armor'],
  ['kevlar_t1', 'standard', 0.85, 'T1'],
  ['kevlar_t2', 'standard', 0.75, 'T2'],
  ['kevlar_t3', 'standard', 0.65, 'T3'],
  ['none', 'armor_piercing', 1, '1 − 0·0.5'],
  ['kevlar_t1', 'armor_piercing', 0.925, '1 − 0.15·0.5: half the reduction'],
  ['kevlar_t2', 'armor_piercing', 0.875, '1 − 0.25·0.5'],
  ['kevlar_t3', 'armor_piercing', 0.825, '1 − 0.35·0.5'],
  ['kevlar_t3', 'emp', 0.65, 'only armor-piercing touches armor'],
];

// [ammo, armor, ammo multiplier, arithmetic]
const ammoTable: [AmmoType, ArmorTier, number, string][] = [
  ['standard', 'none', 1, '×1.0'],
  ['armor_piercing', 'kevlar_t2', 1, '×1.0'],
  ['expansive', 'none', 1.15, '×1.15 against no armor'],
  ['expansive', 'kevlar_t1', 1, 'no bonus against any armor'],
  ['expansive', 'kevlar_t3', 1, 'no bonus against any armor'],
  ['ricochet_rounds', 'none', 0.95, '×0.95'],
  ['emp', 'kevlar_t1', 0.9, '×0.9'],
];

describe('armor, ammo and mod multipliers', () => {
  for (const [armor, ammo, expected, arithmetic] of armorTable) {
    it(`armor ${armor} with ${ammo} → ${expected} (${arithmetic})`, () => near(armorMultiplier(armor, ammo), expected));
  }
  for (const [ammo, armor, expected, arithmetic] of ammoTable) {
    it(`ammo ${ammo} against ${armor} → ${expected} (${arithmetic})`, () =>
      near(ammoMultiplier(ammo, armor), expected));
  }
  it('multiplies installed mods: heavy ×1.1, suppressed ×0.95, the rest ×1', () => {
    assert.equal(modsDamageMultiplier({}), 1);
    near(modsDamageMultiplier({ barrel: 'barrel_heavy_mk1', chip: 'chip_targeting', scope: null }), 1.1);
    near(modsDamageMultiplier({ barrel: 'barrel_suppressed_mk1' }), 0.95);
    assert.equal(modsDamageMultiplier({ barrel: 'barrel_bogus' }), 1);
  });
});

describe('damage of a hit and expected damage', () => {
  const pistol = {
    baseDamage: 60,
    pellets: 1,
    distanceMultiplier: 0.96,
    armorMultiplier: 0.85,
    ammoMultiplier: 1,
    modsMultiplier: 1.1,
    curvedShotMultiplier: 1,
  };
  it('multiplies every factor: 60 · 0.96 · 0.85 · 1.1 = 53.856', () => near(damagePerHit(pistol), 53.856));
  it('counts every pellet: shotgun 35 · 8 · 0.75 (T2) = 210', () => {
    near(
      damagePerHit({
        ...pistol,
        baseDamage: 35,
        pellets: 8,
        distanceMultiplier: 1,
        armorMultiplier: 0.75,
        modsMultiplier: 1,
      }),
      210,
    );
  });
  it('Curved Shot takes 10%: 60 · 0.9 = 54', () => {
    near(
      damagePerHit({
        ...pistol,
        distanceMultiplier: 1,
        armorMultiplier: 1,
        modsMultiplier: 1,
        curvedShotMultiplier: 0.9,
      }),
      54,
    );
  });
  it('expected = p · hit, plus one hit per bounce at its multiplier', () => {
    const straight = expectedDamage(0.6, 53.856, []);
    near(straight.directDamage, 32.3136); // 0.6 · 53.856
    assert.equal(straight.ricochetDamage, 0);
    near(straight.total, 32.3136);
    const bounced = expectedDamage(0.6, 53.856, [{ damageMultiplier: 0.85 }, { damageMultiplier: 0.7225 }]);
    near(bounced.ricochetDamage, 50.81313600000001); // 32.3136 · (0.85 + 0.7225) = 32.3136 · 1.5725
    near(bounced.total, 83.126736); // 32.3136 · 2.5725
  });
  it('is zero for a zero probability and never negative', () => {
    assert.equal(expectedDamage(0, 100, [{ damageMultiplier: 0.4 }]).total, 0);
  });
});
