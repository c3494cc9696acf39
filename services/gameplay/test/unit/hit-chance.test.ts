import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coneFactor, type HitShot, hitBreakdown, hitProbability, rollHits } from '../../src/domain/hit-chance.ts';
import { near } from './fixtures.ts';

const plain: HitShot = {
  weaponClass: 'pistol',
  distanceMeters: 10,
  mods: {},
  implants: [],
  smartAssist: false,
  ricochets: false,
};
const smart: HitShot = { ...plain, weaponClass: 'smart_pistol' };
const mk2 = { scope: 'scope_smart_mk2' } as const;

// [case, shot, expected probability, arithmetic]
const table: [string, HitShot, number, string][] = [
  ['inside the range', plain, 0.7, '0.70'],
  ['at the far edge', { ...plain, distanceMeters: 20 }, 0.7, '0.70'],
  ['10 m beyond', { ...plain, distanceMeters: 30 }, 0.6, '0.70 − 0.01·10'],
  ['64 m beyond', { ...plain, distanceMeters: 84 }, 0.06, '0.70 − 0.64: just above the floor'],
  ['65 m beyond', { ...plain, distanceMeters: 85 }, 0.05, '0.70 − 0.65 = 0.05: the floor exactly'],
  ['80 m beyond', { ...plain, distanceMeters: 100 }, 0.05, '0.70 − 0.80 = −0.10, clamped to 0.05'],
  ['gyro cone', { ...plain, distanceMeters: 30, implants: ['gyro_stabilizer_mk3'] }, 0.63, '0.70 − 0.01·10·0.7'],
  ['gyro far', { ...plain, distanceMeters: 120, implants: ['gyro_stabilizer_mk3'] }, 0.05, '0.70 − 0.01·100·0.7 = 0'],
  ['closer than the range', { ...plain, weaponClass: 'assault', distanceMeters: 5 }, 0.6, '0.70 − 0.01·10'],
  ['sniper too close', { ...plain, weaponClass: 'sniper', distanceMeters: 30 }, 0.5, '0.70 − 0.01·20'],
  ['smart assist + smart scope', { ...smart, mods: { scope: 'scope_smart_mk1' }, smartAssist: true }, 0.8, '+0.10'],
  ['smart assist, no smart scope', { ...plain, mods: { scope: 'scope_thermal' }, smartAssist: true }, 0.7, '+0'],
  ['smart scope, assist not asked', { ...smart, mods: { scope: 'scope_smart_mk1' } }, 0.7, '+0'],
  ['chip_targeting', { ...plain, mods: { chip: 'chip_targeting' } }, 0.75, '0.70 + 0.05'],
  ['kiroshi_optics', { ...plain, implants: ['kiroshi_optics'] }, 0.75, '0.70 + 0.05'],
  ['kiroshi listed twice counts once', { ...plain, implants: ['kiroshi_optics', 'kiroshi_optics'] }, 0.75, '+0.05'],
  ['stock_stabilizer', { ...plain, mods: { stock: 'stock_stabilizer' } }, 0.73, '0.70 + 0.03'],
  ['mk2, shot does not ricochet', { ...smart, mods: mk2, smartAssist: true }, 0.8, '0.70 + 0.10'],
  ['mk2, shot ricochets', { ...smart, mods: mk2, smartAssist: true, ricochets: true }, 0.9, '0.70 + 0.10 + 0.10'],
  [
    'just below the ceiling',
    { ...smart, mods: { ...mk2, stock: 'stock_stabilizer' }, smartAssist: true, ricochets: true },
    0.93,
    '0.70 + 0.10 + 0.10 + 0.03',
  ],
  [
    'the ceiling exactly',
    { ...smart, mods: { ...mk2, chip: 'chip_targeting' }, smartAssist: true, ricochets: true },
    0.95,
    '0.70 + 0.10 + 0.05 + 0.10 = 0.95',
  ],
  [
    'above the ceiling',
    {
      ...smart,
      mods: { ...mk2, chip: 'chip_targeting', stock: 'stock_stabilizer' },
      implants: ['kiroshi_optics'],
      smartAssist: true,
      ricochets: true,
    },
    0.95,
    '0.70 + 0.10 + 0.05 + 0.03 + 0.05 + 0.10 = 1.03, clamped to 0.95',
  ],
  [
    'every bonus, far away',
    {
      ...smart,
      distanceMeters: 123,
      mods: { ...mk2, chip: 'chip_targeting', stock: 'stock_stabilizer' },
      implants: ['kiroshi_optics'],
      smartAssist: true,
      ricochets: true,
    },
    0.05,
    '1.03 − 0.01·98 = 0.05',
  ],
  ['unknown mod and implant ignored', { ...plain, mods: { chip: 'chip_bogus' }, implants: ['bogus'] }, 0.7, '0.70'],
];

describe('hit probability', () => {
  for (const [name, shot, expected, arithmetic] of table) {
    it(`${name} → ${expected} (${arithmetic})`, () => near(hitProbability(shot), expected));
  }
  it('breaks the probability down into its parts, unclamped value included', () => {
    const parts = hitBreakdown({
      ...smart,
      distanceMeters: 35,
      mods: { ...mk2, chip: 'chip_targeting', stock: 'stock_stabilizer' },
      implants: ['kiroshi_optics', 'gyro_stabilizer_mk3'],
      smartAssist: true,
      ricochets: true,
    });
    near(parts.metersOutsideOptimal, 10);
    near(parts.coneFactor, 0.7);
    near(parts.distancePenalty, 0.07); // 0.01·10·0.7
    near(parts.smartAssistBonus, 0.1);
    near(parts.modsBonus, 0.08); // chip 0.05 + stock 0.03
    near(parts.implantsBonus, 0.05);
    near(parts.ricochetBonus, 0.1);
    near(parts.unclamped, 0.96); // 0.70 − 0.07 + 0.10 + 0.08 + 0.05 + 0.10
    near(parts.hitProbability, 0.95);
  });
  it('multiplies cone factors, 1 without a stabilizer', () => {
    assert.equal(coneFactor([]), 1);
    assert.equal(coneFactor(['gyro_stabilizer_mk3', 'kiroshi_optics']), 0.7);
  });
  it('a roll hits strictly below the probability', () => {
    assert.equal(rollHits(0.6, 0.5999), true);
    assert.equal(rollHits(0.6, 0.6), false);
    assert.equal(rollHits(0.05, 0), true);
  });
});
