/**
 * Status effects of a shot (DOMAIN.md): emp rounds carry a 20% electro_shock chance; a Curved Shot adds
 * 25 percentage points to the shot's status chance, and brings its own status (stun, chosen here) when
 * the ammo carries none. A status needs a hit; a roll below the chance applies it.
 */
import { clamp } from './arithmetic.ts';
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';
import type { AmmoType, StatusEffect } from './names.ts';

export interface StatusChance {
  effect: StatusEffect;
  /** Chance on a hit, in [0, 1]. */
  chance: number;
}

export interface StatusOutcome extends StatusChance {
  applied: boolean;
}

export function statusChance(
  ammo: AmmoType,
  curvedShot: boolean,
  rules: BallisticsRules = ballisticsConfig,
): StatusChance | null {
  const carried = rules.ammo[ammo].status;
  const bonus = curvedShot ? rules.curvedShot.statusChanceBonus : 0;
  if (carried) return { effect: carried.effect, chance: clamp(carried.chance + bonus, 0, 1) };
  if (curvedShot) return { effect: rules.curvedShot.statusEffect, chance: clamp(bonus, 0, 1) };
  return null;
}

export function rollStatus(chance: StatusChance | null, hit: boolean, roll: number): StatusOutcome[] {
  if (!chance) return [];
  return [{ effect: chance.effect, chance: chance.chance, applied: hit && roll < chance.chance }];
}
