/**
 * Distance falloff per weapon class (DOMAIN.md): continuous, 1 − rate · excess / interval, where the
 * excess is the metres beyond optimalMax, or, for the sniper's inverse falloff, the metres closer than
 * optimalMin; clamped to [0.1, 1]. Inside the optimal range, and on the side a class does not fall off,
 * the multiplier is 1.
 */
import type { WeaponClass } from '@necp/contracts';
import { clamp } from './arithmetic.ts';
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';

/** Metres on the falloff side of the optimal range (0 inside it). */
export function falloffMeters(weaponClass: WeaponClass, distanceMeters: number, rules = ballisticsConfig): number {
  const weapon = rules.weaponClasses[weaponClass];
  const excess =
    weapon.falloffSide === 'beyond' ? distanceMeters - weapon.optimalMax : weapon.optimalMin - distanceMeters;
  return Math.max(excess, 0);
}

/** Metres outside the optimal range on either side: what the hit probability pays for. */
export function metersOutsideOptimal(
  weaponClass: WeaponClass,
  distanceMeters: number,
  rules = ballisticsConfig,
): number {
  const weapon = rules.weaponClasses[weaponClass];
  if (distanceMeters < weapon.optimalMin) return weapon.optimalMin - distanceMeters;
  if (distanceMeters > weapon.optimalMax) return distanceMeters - weapon.optimalMax;
  return 0;
}

export function distanceMultiplier(
  weaponClass: WeaponClass,
  distanceMeters: number,
  rules: BallisticsRules = ballisticsConfig,
): number {
  const weapon = rules.weaponClasses[weaponClass];
  const excess = falloffMeters(weaponClass, distanceMeters, rules);
  const raw = 1 - (weapon.falloffRate * excess) / weapon.falloffInterval;
  return clamp(raw, rules.distanceMultiplier.min, rules.distanceMultiplier.max);
}
