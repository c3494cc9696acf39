import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WeaponClass } from '@necp/contracts';
import { ballisticsConfig } from '../../src/domain/ballistics-config.ts';
import { distanceMultiplier, metersOutsideOptimal } from '../../src/domain/distance.ts';
import { near } from './fixtures.ts';

// [class, distance m, expected multiplier, arithmetic]
const table: [WeaponClass, number, number, string][] = [
  ['pistol', 0, 1, 'inside 0–20'],
  ['pistol', 20, 1, 'edge of the optimal range'],
  ['pistol', 22.5, 0.99, '1 − 0.02·2.5/5: continuous, not stepped'],
  ['pistol', 25, 0.98, '1 − 0.02·5/5'],
  ['pistol', 30, 0.96, '1 − 0.02·10/5'],
  ['pistol', 244, 0.104, '1 − 0.02·224/5 = 0.104, just above the floor'],
  ['pistol', 245, 0.1, '1 − 0.02·225/5 = 0.1: the floor exactly'],
  ['pistol', 300, 0.1, '1 − 0.02·280/5 = −0.12, clamped to 0.1'],
  ['smart_pistol', 25, 1, 'edge of 0–25'],
  ['smart_pistol', 35, 0.96, '1 − 0.02·10/5'],
  ['smg', 30, 0.96, '1 − 0.04·5/5'],
  ['smg', 50, 0.8, '1 − 0.04·25/5'],
  ['smg', 137.5, 0.1, '1 − 0.04·112.5/5 = 0.1'],
  ['assault', 5, 1, 'closer than 15: no falloff on that side'],
  ['assault', 60, 1, 'edge of 15–60'],
  ['assault', 80, 0.94, '1 − 0.03·20/10'],
  ['assault', 360, 0.1, '1 − 0.03·300/10 = 0.1'],
  ['assault', 1000, 0.1, 'clamped'],
  ['smart_rifle', 70, 0.97, '1 − 0.03·10/10'],
  ['shotgun', 10, 1, 'edge of 0–10'],
  ['shotgun', 15, 0.9, '1 − 0.1·5/5'],
  ['shotgun', 54, 0.12, '1 − 0.1·44/5'],
  ['shotgun', 55, 0.1, '1 − 0.1·45/5 = 0.1'],
  ['shotgun', 56, 0.1, '1 − 0.1·46/5 = 0.08, clamped'],
  ['sniper', 50, 1, 'edge of 50–200'],
  ['sniper', 40, 0.95, 'inverse falloff: 1 − 0.05·(50 − 40)/10'],
  ['sniper', 30, 0.9, '1 − 0.05·20/10'],
  ['sniper', 0, 0.75, '1 − 0.05·50/10: the lowest a sniper goes'],
  ['sniper', 200, 1, 'far edge'],
  ['sniper', 500, 1, 'no falloff beyond the range for a sniper'],
  ['energy', 10, 1, 'closer than 20: no falloff'],
  ['energy', 100, 0.98, '1 − 0.01·20/10'],
  ['energy', 980, 0.1, '1 − 0.01·900/10 = 0.1'],
];

describe('distance falloff per class', () => {
  for (const [weaponClass, distance, expected, arithmetic] of table) {
    it(`${weaponClass} at ${distance} m → ${expected} (${arithmetic})`, () => {
      near(distanceMultiplier(weaponClass, distance), expected);
    });
  }
  it('never leaves [0.1, 1] for any class, 0–1000 m in 0.5 m steps', () => {
    for (const weaponClass of Object.keys(ballisticsConfig.weaponClasses) as WeaponClass[]) {
      for (let d = 0; d <= 1000; d += 0.5) {
        const m = distanceMultiplier(weaponClass, d);
        assert.ok(m >= 0.1 && m <= 1, `${weaponClass} ${d} m gave ${m}`);
      }
    }
  });
  it('counts metres outside the optimal range on both sides (what hit probability pays for)', () => {
    assert.equal(metersOutsideOptimal('assault', 5), 10);
    assert.equal(metersOutsideOptimal('assault', 30), 0);
    assert.equal(metersOutsideOptimal('pistol', 30), 10);
    assert.equal(metersOutsideOptimal('sniper', 30), 20);
    assert.equal(metersOutsideOptimal('sniper', 250), 50);
  });
  it('takes its numbers from the configuration a designer edits', () => {
    const tuned = structuredClone(ballisticsConfig);
    tuned.weaponClasses.pistol.falloffRate = 0.04;
    tuned.distanceMultiplier.min = 0.5;
    near(distanceMultiplier('pistol', 30, tuned), 0.92); // 1 − 0.04·10/5
    near(distanceMultiplier('pistol', 300, tuned), 0.5); // new floor
  });
});
