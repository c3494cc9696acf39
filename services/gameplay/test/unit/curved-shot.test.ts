import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combatSkills, combatSkillUnlocked } from '../../src/domain/combat-skills.ts';
import {
  activateCurvedShot,
  bendAngleAllowed,
  curvedShotEnergyCost,
  curvedShotMissing,
} from '../../src/domain/curved-shot.ts';
import { loadout, near } from './fixtures.ts';

const ready = loadout({
  weaponClass: 'smart_pistol',
  mods: { chip: 'neuro_gyro_coupler' },
  implants: ['smart_wrist_tendons'],
  skills: { precision: 40 },
});

describe('Curved Shot prerequisites', () => {
  it('names everything a street pistol lacks, in a fixed order', () => {
    assert.deepEqual(curvedShotMissing(loadout({ skills: { precision: 20 } })), [
      { requirement: 'implant', id: 'smart_wrist_tendons' },
      { requirement: 'skill', id: 'trajectory_sculptor', skill: 'precision', level: 40, actual: 20 },
      { requirement: 'mod', id: 'neuro_gyro_coupler', slot: 'chip' },
      { requirement: 'weaponClass', id: 'pistol', allowed: ['smart_pistol', 'smart_rifle', 'energy'] },
    ]);
  });
  it('is met with implant, precision 40, the coupler and a class that curves', () => {
    assert.deepEqual(curvedShotMissing(ready), []);
    assert.deepEqual(curvedShotMissing({ ...ready, weaponClass: 'smart_rifle' }), []);
    assert.deepEqual(curvedShotMissing({ ...ready, weaponClass: 'energy' }), []);
  });
  it('precision 39 is one short', () => {
    assert.deepEqual(curvedShotMissing({ ...ready, skills: { precision: 39 } }), [
      { requirement: 'skill', id: 'trajectory_sculptor', skill: 'precision', level: 40, actual: 39 },
    ]);
  });
  it('the coupler must be on the weapon, the implant equipped', () => {
    assert.equal(curvedShotMissing({ ...ready, mods: { chip: 'chip_targeting' } })[0]?.requirement, 'mod');
    assert.equal(curvedShotMissing({ ...ready, implants: ['kiroshi_optics'] })[0]?.requirement, 'implant');
  });
});

describe('Curved Shot numbers', () => {
  // [bend, energy, arithmetic]
  const energy: [number, number, string][] = [
    [0, 10, '10 + 0/3'],
    [10, 13.333333333333334, '10 + 10/3'],
    [15, 15, '10 + 15/3'],
    [30, 20, '10 + 30/3'],
  ];
  for (const [bend, expected, arithmetic] of energy) {
    it(`energy at ${bend}° = ${arithmetic}`, () => near(curvedShotEnergyCost(bend), expected));
  }
  it('bends 0–30°, edges included', () => {
    assert.equal(bendAngleAllowed(0), true);
    assert.equal(bendAngleAllowed(30), true);
    assert.equal(bendAngleAllowed(30.01), false);
    assert.equal(bendAngleAllowed(-0.01), false);
    assert.equal(bendAngleAllowed(Number.NaN), false);
  });
});

describe('Curved Shot activation', () => {
  const nowMs = Date.UTC(2026, 0, 1);
  it('activates: energy, 15 s cooldown from now', () => {
    assert.deepEqual(activateCurvedShot({ loadout: ready, bendAngle: 15, cooldownEndsAtMs: null }, { nowMs }), {
      outcome: 'activated',
      energyCost: 15,
      cooldownSeconds: 15,
      cooldownEndsAtMs: nowMs + 15_000,
    });
  });
  it('a TIME_SCALE of 3 ends the 15 game seconds after 5 real ones', () => {
    const result = activateCurvedShot(
      { loadout: ready, bendAngle: 0, cooldownEndsAtMs: null },
      { nowMs, timeScale: 3 },
    );
    assert.equal(result.outcome === 'activated' && result.cooldownEndsAtMs, nowMs + 5_000);
  });
  it('refuses while the cooldown runs, and allows at its end', () => {
    assert.deepEqual(activateCurvedShot({ loadout: ready, bendAngle: 0, cooldownEndsAtMs: nowMs + 1 }, { nowMs }), {
      outcome: 'on_cooldown',
      cooldownEndsAtMs: nowMs + 1,
    });
    const atEnd = activateCurvedShot({ loadout: ready, bendAngle: 0, cooldownEndsAtMs: nowMs }, { nowMs });
    assert.equal(atEnd.outcome, 'activated');
  });
  it('names missing prerequisites before the cooldown', () => {
    const result = activateCurvedShot({ loadout: loadout(), bendAngle: 0, cooldownEndsAtMs: nowMs + 9_000 }, { nowMs });
    assert.equal(result.outcome, 'prerequisites_missing');
  });
});

describe('combat skills', () => {
  it('trajectory_sculptor unlocks at precision 40, tactical_bounce at 60', () => {
    assert.equal(combatSkillUnlocked('trajectory_sculptor', { precision: 39 }), false);
    assert.equal(combatSkillUnlocked('trajectory_sculptor', { precision: 40 }), true);
    assert.equal(combatSkillUnlocked('tactical_bounce', { precision: 59 }), false);
    assert.equal(combatSkillUnlocked('tactical_bounce', { precision: 60 }), true);
    assert.equal(combatSkillUnlocked('tactical_bounce', {}), false);
  });
  it('lists each with what it needs', () => {
    assert.deepEqual(combatSkills({ precision: 45 }), [
      {
        skillId: 'trajectory_sculptor',
        type: 'active',
        unlocked: true,
        requires: { skill: 'precision', level: 40, actual: 45 },
      },
      {
        skillId: 'tactical_bounce',
        type: 'passive',
        unlocked: false,
        requires: { skill: 'precision', level: 60, actual: 45 },
      },
    ]);
  });
});
