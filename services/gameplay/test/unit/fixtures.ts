/** Shared test helpers: float comparison for raw (unrounded) model values and a plain loadout and shot. */
import assert from 'node:assert/strict';
import type { Loadout } from '../../src/domain/names.ts';
import type { ShotRequest } from '../../src/domain/simulate.ts';

/** Raw model values are IEEE doubles: 1 − 0.02·10/5 is 0.96 within an ulp or two, not to the bit. */
export function near(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? ''} expected ${expected}, got ${actual}`);
}

export function loadout(overrides: Partial<Loadout> = {}): Loadout {
  return { weaponClass: 'pistol', mods: {}, implants: [], skills: {}, ...overrides };
}

export function shot(overrides: Partial<ShotRequest> = {}): ShotRequest {
  return {
    ammoType: 'standard',
    distanceMeters: 10,
    angleDegrees: 0,
    targetArmor: 'none',
    environmentMaterial: 'organic',
    flags: { curvedShot: false, smartAssist: false },
    seed: 1,
    ...overrides,
  };
}
