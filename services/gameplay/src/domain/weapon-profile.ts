/**
 * A weapon class's profile (API.md §4 profiles): its numbers from the configuration, the ammo and mods it
 * takes, whether it can curve and how many bounces it can make.
 */
import type { WeaponClass } from '@necp/contracts';
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';
import { modsFor } from './mods.ts';
import { AmmoTypes } from './names.ts';

export function weaponProfile(weaponClass: WeaponClass, rules: BallisticsRules = ballisticsConfig) {
  const weapon = rules.weaponClasses[weaponClass];
  const smartScope = rules.modRules.smartScopeClasses.includes(weaponClass);
  return {
    weaponClass,
    baseDamage: weapon.baseDamage,
    pellets: weapon.pellets,
    optimalMin: weapon.optimalMin,
    optimalMax: weapon.optimalMax,
    falloffRate: weapon.falloffRate,
    falloffInterval: weapon.falloffInterval,
    supportedAmmo: [...AmmoTypes],
    /** Every mod the class takes; MK2 mods still need the skill. */
    supportedMods: modsFor(weaponClass, null, null, rules),
    curvedShotSupport: weapon.curvedShot,
    /** Smart Ricochet's bounces where a smart scope fits, else natural ricochet's. */
    ricochetLimit: smartScope ? rules.smartRicochet.maxBounces : rules.naturalRicochet.bounces,
  };
}

export type WeaponProfile = ReturnType<typeof weaponProfile>;
