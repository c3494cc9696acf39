/**
 * Ricochets (DOMAIN.md). Smart Ricochet (ammo that enables it and a smart scope installed) is
 * deterministic: up to 2 bounces (3 with tactical_bounce), each losing 15% (5% with tactical_bounce)
 * of what is left, on a surface that reflects (metal, concrete, glass); organic and shield stop the
 * chain. Otherwise natural ricochet: on metal or concrete at an angle above 35°, a roll below 0.25 gives
 * one bounce at ×0.4. Angles are degrees compared as numbers: no trigonometry.
 */
import { integerPower } from './arithmetic.ts';
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';
import { type AmmoType, type InstalledMods, isModId, type Surface } from './names.ts';

export interface RicochetStep {
  surface: Surface;
  /** The bounce's hit as a share of a direct hit. */
  damageMultiplier: number;
}

export type RicochetKind = 'smart' | 'natural' | 'none';

export function hasSmartScope(mods: InstalledMods, rules: BallisticsRules = ballisticsConfig): boolean {
  const scope = mods.scope;
  return scope != null && isModId(scope) && rules.mods[scope].smart;
}

export function smartRicochetEnabled(
  ammo: AmmoType,
  mods: InstalledMods,
  rules: BallisticsRules = ballisticsConfig,
): boolean {
  return rules.ammo[ammo].enablesSmartRicochet && hasSmartScope(mods, rules);
}

/** The Smart Ricochet chain on one surface: full length where it reflects, empty where it stops. */
export function smartRicochetChain(
  surface: Surface,
  tacticalBounce: boolean,
  rules: BallisticsRules = ballisticsConfig,
): RicochetStep[] {
  const smart = rules.smartRicochet;
  if (!smart.reflectiveSurfaces.includes(surface)) return [];
  const bounces = tacticalBounce ? smart.tacticalBounceMaxBounces : smart.maxBounces;
  const kept = 1 - (tacticalBounce ? smart.tacticalBounceLossPerBounce : smart.lossPerBounce);
  const steps: RicochetStep[] = [];
  for (let bounce = 1; bounce <= bounces; bounce += 1) {
    steps.push({ surface, damageMultiplier: integerPower(kept, bounce) });
  }
  return steps;
}

/** Whether a natural ricochet can happen at all: surface and angle (strictly above the minimum). */
export function naturalRicochetPossible(
  surface: Surface,
  angleDegrees: number,
  rules: BallisticsRules = ballisticsConfig,
): boolean {
  const natural = rules.naturalRicochet;
  return natural.surfaces.includes(surface) && angleDegrees > natural.minAngleExclusive;
}

/** Natural ricochet for one roll in [0, 1): its bounce(s) when possible and the roll is below the chance. */
export function naturalRicochet(
  surface: Surface,
  angleDegrees: number,
  roll: number,
  rules: BallisticsRules = ballisticsConfig,
): RicochetStep[] {
  const natural = rules.naturalRicochet;
  if (!naturalRicochetPossible(surface, angleDegrees, rules) || roll >= natural.chance) return [];
  const steps: RicochetStep[] = [];
  for (let bounce = 1; bounce <= natural.bounces; bounce += 1) {
    steps.push({ surface, damageMultiplier: integerPower(natural.damageMultiplier, bounce) });
  }
  return steps;
}

/** The shot's ricochet path: Smart rules when enabled, else natural rules with the roll. */
export function ricochetPath(
  shot: { ammo: AmmoType; mods: InstalledMods; surface: Surface; angleDegrees: number; tacticalBounce: boolean },
  roll: number,
  rules: BallisticsRules = ballisticsConfig,
): { kind: RicochetKind; path: RicochetStep[] } {
  if (smartRicochetEnabled(shot.ammo, shot.mods, rules)) {
    const path = smartRicochetChain(shot.surface, shot.tacticalBounce, rules);
    return { kind: path.length > 0 ? 'smart' : 'none', path };
  }
  const path = naturalRicochet(shot.surface, shot.angleDegrees, roll, rules);
  return { kind: path.length > 0 ? 'natural' : 'none', path };
}
