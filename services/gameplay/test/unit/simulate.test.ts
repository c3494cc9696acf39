import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRandom } from '../../src/domain/random.ts';
import { type ShotResult, shotRequestProblems, simulateSeries, simulateShot } from '../../src/domain/simulate.ts';
import { loadout, shot } from './fixtures.ts';

/** The three draws a shot makes from its seed: hit, ricochet, status. */
function rolls(seed: number) {
  const random = createRandom(seed);
  return { hit: random.next(), ricochet: random.next(), status: random.next() };
}

const rifle = loadout({
  weaponClass: 'smart_rifle',
  mods: { scope: 'scope_smart_mk2', chip: 'neuro_gyro_coupler', barrel: 'barrel_heavy_mk1' },
  implants: ['smart_wrist_tendons', 'kiroshi_optics'],
  skills: { precision: 60, engineering: 45 },
});
const rifleShot = shot({
  ammoType: 'ricochet_rounds',
  distanceMeters: 70,
  angleDegrees: 40,
  targetArmor: 'kevlar_t1',
  environmentMaterial: 'metal',
  flags: { curvedShot: true, smartAssist: true },
  bendAngle: 12,
  seed: 42,
});

describe('one shot, hand-computed', () => {
  it('a street pistol at 30 m: p 0.60, 60 · 0.96 = 57.6 a hit, expected 34.56', () => {
    const result = simulateShot(
      loadout(),
      shot({ distanceMeters: 30, environmentMaterial: 'concrete', angleDegrees: 10 }),
    );
    assert.equal(result.hitProbability, 0.6); // 0.70 − 0.01·10
    assert.equal(result.expectedDamage, 34.56); // 0.6 · 57.6
    assert.deepEqual(result.damageBreakdown, {
      baseDamage: 60,
      pellets: 1,
      distanceMultiplier: 0.96,
      armorMultiplier: 1,
      ammoMultiplier: 1,
      modsMultiplier: 1,
      curvedShotMultiplier: 1,
      damagePerHit: 57.6,
      directDamage: 34.56,
      ricochetDamage: 0,
    });
    assert.deepEqual(result.ricochetPath, []); // concrete at 10° is not above 35°
    assert.deepEqual(result.statusEffects, []);
    assert.equal(result.cooldownSeconds, 0);
    assert.equal(result.energyCost, 0);
    assert.equal(result.hit, rolls(1).hit < 0.6);
    assert.equal(result.damageDealt, result.hit ? 57.6 : 0);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.rulesetVersion, 'ballistics-1');
  });

  it('a smart rifle, every system at once (Smart Ricochet with tactical_bounce, Curved Shot, MK2)', () => {
    const result = simulateShot(rifle, rifleShot);
    // hit: 0.70 − 0.01·10 (70 m, 10 beyond 60) + 0.10 smart assist + 0.05 kiroshi + 0.10 MK2 on a ricochet = 0.85
    assert.equal(result.hitProbability, 0.85);
    // per hit: 65 · 0.97 · 0.85 (T1) · 0.95 (ricochet rounds) · 1.1 (heavy barrel) · 0.9 (curved) = 50.40374625
    assert.equal(result.damageBreakdown.damagePerHit, 50.4);
    assert.equal(result.damageBreakdown.distanceMultiplier, 0.97); // 1 − 0.03·10/10
    // precision 60 unlocks tactical_bounce: 3 bounces at 0.95, 0.9025, 0.857375 (sum 2.709875)
    assert.deepEqual(result.ricochetPath, [
      { surface: 'metal', damageMultiplier: 0.95 },
      { surface: 'metal', damageMultiplier: 0.9025 },
      { surface: 'metal', damageMultiplier: 0.8574 },
    ]);
    // direct 0.85 · 50.40374625 = 42.84318...; ricochets 42.84318 · 2.709875 = 116.09967...; total 158.94285...
    assert.equal(result.damageBreakdown.directDamage, 42.84);
    assert.equal(result.damageBreakdown.ricochetDamage, 116.1);
    assert.equal(result.expectedDamage, 158.94);
    assert.deepEqual(result.statusEffects, [{ effect: 'stun', chance: 0.25, applied: false }]);
    assert.equal(result.curvedShotUsed, true);
    assert.equal(result.cooldownSeconds, 15);
    assert.equal(result.energyCost, 14); // 10 + 12/3
    // seed 42: hit roll 0.6011 < 0.85; a hit deals 50.40374625 · 3.709875 = 186.99...
    assert.equal(result.hit, true);
    assert.equal(result.damageDealt, 186.99);
    assert.deepEqual(result.suggestedMods, [{ slot: 'stock', modId: 'stock_stabilizer', reason: 'empty_slot' }]);
    assert.deepEqual(result.warnings, []);
  });

  it('a shotgun with emp at 20 m on T2: 35 · 8 · 0.8 · 0.75 · 0.9 = 151.2 a hit, p 0.60', () => {
    const result = simulateShot(
      loadout({ weaponClass: 'shotgun' }),
      shot({ ammoType: 'emp', distanceMeters: 20, targetArmor: 'kevlar_t2' }),
    );
    assert.equal(result.damageBreakdown.damagePerHit, 151.2);
    assert.equal(result.hitProbability, 0.6); // 0.70 − 0.01·10
    assert.equal(result.expectedDamage, 90.72); // 0.6 · 151.2
    const { hit, status } = rolls(1);
    assert.deepEqual(result.statusEffects, [
      { effect: 'electro_shock', chance: 0.2, applied: hit < 0.6 && status < 0.2 },
    ]);
  });

  it('a sniper 20 m too close, armor-piercing on T3, gyro: 140 · 0.9 · 0.825 = 103.95, p 0.56', () => {
    const sniper = loadout({ weaponClass: 'sniper', implants: ['gyro_stabilizer_mk3'] });
    const result = simulateShot(
      sniper,
      shot({ ammoType: 'armor_piercing', distanceMeters: 30, targetArmor: 'kevlar_t3' }),
    );
    assert.equal(result.damageBreakdown.distanceMultiplier, 0.9); // 1 − 0.05·20/10
    assert.equal(result.damageBreakdown.armorMultiplier, 0.825); // 1 − 0.35·0.5
    assert.equal(result.hitProbability, 0.56); // 0.70 − 0.01·20·0.7
    assert.equal(result.expectedDamage, 58.21); // 0.56 · 103.95 = 58.212
  });

  it('expansive against no armor: 60 · 1.15 = 69, expected 0.7 · 69 = 48.3', () => {
    assert.equal(simulateShot(loadout(), shot({ ammoType: 'expansive' })).expectedDamage, 48.3);
  });

  it('emp Curved Shot: electro_shock at 0.20 + 0.25 = 0.45', () => {
    const smart = loadout({ ...rifle, weaponClass: 'smart_pistol', mods: { chip: 'neuro_gyro_coupler' } });
    const result = simulateShot(smart, shot({ ammoType: 'emp', flags: { curvedShot: true, smartAssist: false } }));
    assert.equal(result.statusEffects[0]?.effect, 'electro_shock');
    assert.equal(result.statusEffects[0]?.chance, 0.45);
    assert.equal(result.energyCost, 10); // no bend given: 10 + 0/3
  });
});

describe('natural ricochet in a shot follows the seed’s second draw', () => {
  it('seeds 0–39 hold both outcomes', () => {
    const bounces = Array.from({ length: 40 }, (_, seed) => rolls(seed).ricochet < 0.25);
    assert.ok(bounces.includes(true) && bounces.includes(false));
  });
  for (let seed = 0; seed < 40; seed += 1) {
    it(`seed ${seed}`, () => {
      const result = simulateShot(loadout(), shot({ environmentMaterial: 'metal', angleDegrees: 50, seed }));
      const { hit, ricochet } = rolls(seed);
      const bounced = ricochet < 0.25;
      assert.deepEqual(result.ricochetPath, bounced ? [{ surface: 'metal', damageMultiplier: 0.4 }] : []);
      assert.equal(result.expectedDamage, bounced ? 58.8 : 42); // 0.7 · 60 · (1 + 0.4) or 0.7 · 60
      assert.equal(result.hit, hit < 0.7);
    });
  }
});

describe('warnings say what did not count', () => {
  const codes = (result: ShotResult) => result.warnings.map((w) => w.code);
  it('a Curved Shot without its prerequisites fires straight', () => {
    const result = simulateShot(loadout(), shot({ flags: { curvedShot: true, smartAssist: false }, bendAngle: 20 }));
    assert.deepEqual(codes(result), ['CURVED_SHOT_PREREQUISITES_MISSING']);
    assert.equal(result.curvedShotUsed, false);
    assert.equal(result.cooldownSeconds, 0);
    assert.equal(result.damageBreakdown.curvedShotMultiplier, 1);
  });
  it('smart assist without a smart scope, ricochet rounds without one, expansive against armor', () => {
    const flags = { curvedShot: false, smartAssist: true };
    assert.deepEqual(codes(simulateShot(loadout(), shot({ flags }))), ['SMART_ASSIST_WITHOUT_SMART_SCOPE']);
    assert.deepEqual(codes(simulateShot(loadout(), shot({ ammoType: 'ricochet_rounds' }))), ['NATURAL_RICOCHET_ONLY']);
    assert.deepEqual(codes(simulateShot(loadout(), shot({ ammoType: 'expansive', targetArmor: 'kevlar_t1' }))), [
      'AMMO_BONUS_LOST',
    ]);
  });
  it('a bend without a Curved Shot, and a loadout whose mods conflict', () => {
    assert.deepEqual(codes(simulateShot(loadout(), shot({ bendAngle: 10 }))), ['BEND_WITHOUT_CURVED_SHOT']);
    const bad = loadout({ weaponClass: 'shotgun', mods: { scope: 'scope_thermal' } });
    assert.deepEqual(codes(simulateShot(bad, shot())), ['MOD_CONFLICT']);
  });
});

describe('requests the model refuses', () => {
  // [field, value]
  const bad: [string, unknown][] = [
    ['distanceMeters', -0.01],
    ['distanceMeters', 1000.01],
    ['distanceMeters', Number.NaN],
    ['angleDegrees', -1],
    ['angleDegrees', 90.5],
    ['bendAngle', 30.5],
    ['bendAngle', -1],
    ['seed', -1],
    ['seed', 1.5],
    ['seed', 2 ** 32],
    ['ammoType', 'tracer'],
    ['targetArmor', 'kevlar_t9'],
    ['environmentMaterial', 'lava'],
  ];
  for (const [field, value] of bad) {
    it(`${field} = ${String(value)}`, () => {
      const request = shot({ [field]: value });
      assert.deepEqual(
        shotRequestProblems(request).map((p) => p.path),
        [field],
      );
      assert.throws(() => simulateShot(loadout(), request), RangeError);
    });
  }
  it('accepts the edges: 0 and 1000 m, 0° and 90°, bend 0 and 30, seed 0 and 2^32 − 1', () => {
    for (const edge of [
      { distanceMeters: 0, angleDegrees: 0, bendAngle: 0, seed: 0 },
      { distanceMeters: 1000, angleDegrees: 90, bendAngle: 30, seed: 2 ** 32 - 1 },
    ]) {
      assert.deepEqual(shotRequestProblems(shot(edge)), []);
    }
  });
});

describe('a series', () => {
  it('continues one seed’s stream: its first shot is the single shot', () => {
    const series = simulateSeries(rifle, rifleShot, 5);
    assert.equal(series.shots.length, 5);
    assert.deepEqual(series.shots[0], simulateShot(rifle, rifleShot));
    assert.equal(series.hits, series.shots.filter((s) => s.hit).length);
    assert.equal(series.expectedDamage, 794.7); // 5 · 158.94
    assert.throws(() => simulateSeries(rifle, rifleShot, 0), RangeError);
  });
});
