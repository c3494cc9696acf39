/**
 * Properties over a few thousand seeded random shots: the same seed gives a deep-equal result, hit
 * probability never leaves [0.05, 0.95], damage is never negative, and the outcome agrees with itself.
 * The inputs come from the model's own seeded source, so a failure names a reproducible case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WeaponClasses } from '@necp/contracts';
import {
  AmmoTypes,
  ArmorTiers,
  ImplantIds,
  type InstalledMods,
  type Loadout,
  ModIds,
  ModSlots,
  Surfaces,
} from '../../src/domain/names.ts';
import { createRandom, MaxSeed, type RandomSource } from '../../src/domain/random.ts';
import { type ShotRequest, simulateSeries, simulateShot } from '../../src/domain/simulate.ts';

const Cases = 4_000;

function pick<T>(random: RandomSource, items: readonly T[]): T {
  return items[Math.floor(random.next() * items.length)] as T;
}

function randomCase(random: RandomSource): { loadout: Loadout; request: ShotRequest } {
  const mods: InstalledMods = {};
  // Any mod in any slot, sometimes empty: conflicting loadouts must not break the model either.
  for (const slot of ModSlots) if (random.next() < 0.6) mods[slot] = pick(random, ModIds);
  const implants = ImplantIds.filter(() => random.next() < 0.5);
  const level = () => Math.floor(random.next() * 101);
  const request: ShotRequest = {
    ammoType: pick(random, AmmoTypes),
    distanceMeters: random.next() < 0.1 ? pick(random, [0, 1000]) : Math.round(random.next() * 100_000) / 100,
    angleDegrees: random.next() * 90,
    targetArmor: pick(random, ArmorTiers),
    environmentMaterial: pick(random, Surfaces),
    flags: { curvedShot: random.next() < 0.5, smartAssist: random.next() < 0.5 },
    seed: Math.floor(random.next() * (MaxSeed + 1)),
  };
  if (random.next() < 0.5) request.bendAngle = random.next() * 30;
  return {
    loadout: {
      weaponClass: pick(random, WeaponClasses),
      mods,
      implants,
      skills: { precision: level(), engineering: level(), ballistics: level() },
    },
    request,
  };
}

describe('simulate properties', () => {
  it(`over ${Cases} random shots: same seed, same result; p in [0.05, 0.95]; damage ≥ 0`, () => {
    const random = createRandom(20_260_101);
    for (let i = 0; i < Cases; i += 1) {
      const { loadout, request } = randomCase(random);
      const label = `case ${i}: ${JSON.stringify({ loadout, request })}`;
      const first = simulateShot(loadout, request);
      const again = simulateShot(structuredClone(loadout), structuredClone(request));
      assert.deepEqual(again, first, label);
      assert.ok(first.hitProbability >= 0.05 && first.hitProbability <= 0.95, label);
      assert.ok(first.hitBreakdown.hitProbability >= 0.05 && first.hitBreakdown.hitProbability <= 0.95, label);
      assert.ok(first.expectedDamage >= 0 && first.damageDealt >= 0, label);
      assert.ok(
        first.damageBreakdown.distanceMultiplier >= 0.1 && first.damageBreakdown.distanceMultiplier <= 1,
        label,
      );
      assert.ok(first.ricochetPath.length <= 3, label);
      assert.equal(first.damageDealt > 0, first.hit, label);
      for (const status of first.statusEffects) assert.ok(!status.applied || first.hit, label);
      assert.equal(first.cooldownSeconds, first.curvedShotUsed ? 15 : 0, label);
    }
  });
  it('a series from a seed is the same series every time', () => {
    const random = createRandom(99);
    for (let i = 0; i < 200; i += 1) {
      const { loadout, request } = randomCase(random);
      assert.deepEqual(simulateSeries(loadout, request, 4), simulateSeries(loadout, request, 4));
    }
  });
});
