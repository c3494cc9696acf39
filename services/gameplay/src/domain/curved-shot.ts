/**
 * Curved Shot (DOMAIN.md): needs the implant smart_wrist_tendons, the combat skill trajectory_sculptor
 * (precision ≥ 40), the mod neuro_gyro_coupler on the weapon and a class that allows it. Bend 0–30°;
 * damage ×0.9, +25 percentage points status chance, energy 10 + bend/3, cooldown 15 s.
 */
import type { SkillName, WeaponClass } from '@necp/contracts';
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';
import { type CooldownClock, cooldownEndsAt, isOnCooldown } from './cooldowns.ts';
import type { CombatSkillId, ImplantId, Loadout, ModId, ModSlot } from './names.ts';

/** One missing prerequisite, named so a 422 PREREQUISITES_MISSING can list it. */
export type MissingPrerequisite =
  | { requirement: 'implant'; id: ImplantId }
  | { requirement: 'skill'; id: CombatSkillId; skill: SkillName; level: number; actual: number }
  | { requirement: 'mod'; id: ModId; slot: ModSlot }
  | { requirement: 'weaponClass'; id: WeaponClass; allowed: WeaponClass[] };

/** What the loadout lacks for a Curved Shot, in a fixed order; empty when it may fire one. */
export function curvedShotMissing(loadout: Loadout, rules: BallisticsRules = ballisticsConfig): MissingPrerequisite[] {
  const curved = rules.curvedShot;
  const missing: MissingPrerequisite[] = [];
  if (!loadout.implants.includes(curved.requiredImplant)) {
    missing.push({ requirement: 'implant', id: curved.requiredImplant });
  }
  const unlock = rules.combatSkills[curved.requiredSkill];
  const actual = loadout.skills[unlock.skill] ?? 0;
  if (actual < unlock.level) {
    missing.push({ requirement: 'skill', id: curved.requiredSkill, skill: unlock.skill, level: unlock.level, actual });
  }
  const slot = rules.mods[curved.requiredMod].slot;
  if (loadout.mods[slot] !== curved.requiredMod) missing.push({ requirement: 'mod', id: curved.requiredMod, slot });
  if (!rules.weaponClasses[loadout.weaponClass].curvedShot) {
    const allowed = (Object.keys(rules.weaponClasses) as WeaponClass[]).filter(
      (c) => rules.weaponClasses[c].curvedShot,
    );
    missing.push({ requirement: 'weaponClass', id: loadout.weaponClass, allowed });
  }
  return missing;
}

export function bendAngleAllowed(bendAngle: number, rules: BallisticsRules = ballisticsConfig): boolean {
  return Number.isFinite(bendAngle) && bendAngle >= 0 && bendAngle <= rules.curvedShot.maxBendAngle;
}

/** Energy for one Curved Shot: 10 + bend / 3 (unrounded; 13.333… at 10°). */
export function curvedShotEnergyCost(bendAngle: number, rules: BallisticsRules = ballisticsConfig): number {
  return rules.curvedShot.energyBase + bendAngle / rules.curvedShot.energyBendDivisor;
}

export type CurvedShotActivation =
  | { outcome: 'activated'; energyCost: number; cooldownSeconds: number; cooldownEndsAtMs: number }
  | { outcome: 'prerequisites_missing'; missing: MissingPrerequisite[] }
  | { outcome: 'on_cooldown'; cooldownEndsAtMs: number };

/**
 * Activation at `clock.nowMs` given the running cooldown's end (null when none): prerequisites first
 * (they do not change with time), then the cooldown. The bend angle is the caller's to validate.
 */
export function activateCurvedShot(
  request: { loadout: Loadout; bendAngle: number; cooldownEndsAtMs: number | null },
  clock: CooldownClock,
  rules: BallisticsRules = ballisticsConfig,
): CurvedShotActivation {
  const missing = curvedShotMissing(request.loadout, rules);
  if (missing.length > 0) return { outcome: 'prerequisites_missing', missing };
  if (request.cooldownEndsAtMs !== null && isOnCooldown(request.cooldownEndsAtMs, clock.nowMs)) {
    return { outcome: 'on_cooldown', cooldownEndsAtMs: request.cooldownEndsAtMs };
  }
  const seconds = rules.curvedShot.cooldownSeconds;
  return {
    outcome: 'activated',
    energyCost: curvedShotEnergyCost(request.bendAngle, rules),
    cooldownSeconds: seconds,
    cooldownEndsAtMs: cooldownEndsAt(clock, seconds),
  };
}
