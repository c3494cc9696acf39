import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ballisticsConfig } from '../../src/domain/ballistics-config.ts';
import { rollStatus, statusChance } from '../../src/domain/status-effects.ts';
import { near } from './fixtures.ts';

describe('status effects', () => {
  it('emp carries a 20% electro_shock chance; other ammo none', () => {
    assert.deepEqual(statusChance('emp', false), { effect: 'electro_shock', chance: 0.2 });
    assert.equal(statusChance('standard', false), null);
    assert.equal(statusChance('ricochet_rounds', false), null);
  });
  it('Curved Shot adds 25 percentage points: emp 0.20 + 0.25 = 0.45', () => {
    const chance = statusChance('emp', true);
    assert.equal(chance?.effect, 'electro_shock');
    near(chance?.chance ?? 0, 0.45);
  });
  it('Curved Shot alone brings its own status at 25%', () => {
    assert.deepEqual(statusChance('standard', true), { effect: 'stun', chance: 0.25 });
  });
  it('clamps the chance to 1', () => {
    const tuned = structuredClone(ballisticsConfig);
    tuned.ammo.emp.status = { effect: 'electro_shock', chance: 0.9 };
    assert.equal(statusChance('emp', true, tuned)?.chance, 1); // 0.9 + 0.25 = 1.15 → 1
  });
  it('applies on a hit with a roll strictly below the chance', () => {
    const emp = { effect: 'electro_shock' as const, chance: 0.2 };
    assert.deepEqual(rollStatus(emp, true, 0.1999), [{ ...emp, applied: true }]);
    assert.deepEqual(rollStatus(emp, true, 0.2), [{ ...emp, applied: false }]);
    assert.deepEqual(rollStatus(emp, false, 0), [{ ...emp, applied: false }]);
    assert.deepEqual(rollStatus(null, true, 0), []);
  });
});
