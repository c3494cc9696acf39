/**
 * Damage of one hit and the expected damage of a shot (DOMAIN.md): base × pellets × distance × armor ×
 * ammo × mods (× 0.9 for a Curved Shot), and expected = hit probability × that, plus the ricochet hits,
 * each the same hit scaled by its bounce's multiplier.
 */
import type { BallisticsRules } from './ballistics-config.ts';
import { ballisticsConfig } from './ballistics-config.ts';
import { type AmmoType, type ArmorTier, type InstalledMods, isModId, slotValues } from './names.ts';

/** Torso multiplier of the target's armor; armor-piercing keeps only its share of the reduction. */
export function armorMultiplier(armor: ArmorTier, ammo: AmmoType, rules: BallisticsRules = ballisticsConfig): number {
  const reduction = 1 - rules.armor[armor];
  return 1 - reduction * rules.ammo[ammo].armorReductionShare;
}

/** The ammo's own multiplier; expansive rounds gain theirs against unarmored targets only. */
export function ammoMultiplier(ammo: AmmoType, armor: ArmorTier, rules: BallisticsRules = ballisticsConfig): number {
  const rule = rules.ammo[ammo];
  if (rule.onlyAgainstNoArmor && armor !== 'none') return 1;
  return rule.damageMultiplier;
}

/** The product of the installed mods' damage multipliers (heavy barrel ×1.1, suppressed ×0.95). */
export function modsDamageMultiplier(mods: InstalledMods, rules: BallisticsRules = ballisticsConfig): number {
  let multiplier = 1;
  for (const modId of slotValues(mods)) {
    if (modId && isModId(modId)) multiplier *= rules.mods[modId].damageMultiplier;
  }
  return multiplier;
}

export interface DamageFactors {
  baseDamage: number;
  pellets: number;
  distanceMultiplier: number;
  armorMultiplier: number;
  ammoMultiplier: number;
  modsMultiplier: number;
  curvedShotMultiplier: number;
}

export function damagePerHit(factors: DamageFactors): number {
  return (
    factors.baseDamage *
    factors.pellets *
    factors.distanceMultiplier *
    factors.armorMultiplier *
    factors.ammoMultiplier *
    factors.modsMultiplier *
    factors.curvedShotMultiplier
  );
}

/**
 * Expected damage: the direct hit plus one more hit per bounce, scaled by the bounce's multiplier (with
 * probability 1, the damage a hit deals).
 */
export function expectedDamage(
  hitProbability: number,
  perHit: number,
  ricochetPath: readonly { damageMultiplier: number }[],
): { directDamage: number; ricochetDamage: number; total: number } {
  const directDamage = hitProbability * perHit;
  let ricochetDamage = 0;
  for (const step of ricochetPath) ricochetDamage += directDamage * step.damageMultiplier;
  return { directDamage, ricochetDamage, total: directDamage + ricochetDamage };
}
