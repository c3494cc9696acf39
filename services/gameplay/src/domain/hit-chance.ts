/**
 * Hit probability (DOMAIN.md): clamp(0.70 − 0.01 per metre outside the optimal range × cone factor +
 * bonuses, 0.05, 0.95). The cone factor (0.7 with gyro_stabilizer_mk3) shrinks the distance penalty;
 * bonuses: smart assist with a smart scope +0.10, chip_targeting +0.05, kiroshi_optics +0.05,
 * stock_stabilizer +0.03, scope_smart_mk2 +0.10 on shots that ricochet.
 */
import type { WeaponClass } from '@necp/contracts';
import { clamp } from './arithmetic.ts';
import { type BallisticsRules, ballisticsConfig, type ImplantRule } from './ballistics-config.ts';
import { metersOutsideOptimal } from './distance.ts';
import { type ImplantId, ImplantIds, type InstalledMods, isModId, slotValues } from './names.ts';
import { hasSmartScope } from './ricochet.ts';

export interface HitShot {
  weaponClass: WeaponClass;
  distanceMeters: number;
  mods: InstalledMods;
  implants: readonly string[];
  /** API.md `flags.smartAssist`: counts only with a smart scope installed. */
  smartAssist: boolean;
  /** Whether the shot ricochets (its ricochet path has a bounce). */
  ricochets: boolean;
}

export interface HitBreakdown {
  base: number;
  metersOutsideOptimal: number;
  coneFactor: number;
  distancePenalty: number;
  smartAssistBonus: number;
  modsBonus: number;
  implantsBonus: number;
  ricochetBonus: number;
  /** Before the clamp: may leave [min, max]. */
  unclamped: number;
  hitProbability: number;
}

/**
 * The rules of the equipped implants, each once, in `ImplantIds` order (the order the bonuses are
 * summed in). The rules are read by name: `rules.implants[id]` over three names at one site is a
 * megamorphic keyed load, and the model asks this on every shot.
 */
function equippedImplants(implants: readonly string[], rules: BallisticsRules): ImplantRule[] {
  const { smart_wrist_tendons, gyro_stabilizer_mk3, kiroshi_optics } = rules.implants;
  const byId = [smart_wrist_tendons, gyro_stabilizer_mk3, kiroshi_optics];
  const equipped: ImplantRule[] = [];
  for (let i = 0; i < ImplantIds.length; i += 1) {
    if (implants.includes(ImplantIds[i] as ImplantId)) equipped.push(byId[i] as ImplantRule);
  }
  return equipped;
}

function coneOf(equipped: readonly ImplantRule[]): number {
  let factor = 1;
  for (const implant of equipped) factor *= implant.coneFactor;
  return factor;
}

/** The product of the implants' cone factors (1 without a stabilizer); each implant counts once. */
export function coneFactor(implants: readonly string[], rules: BallisticsRules = ballisticsConfig): number {
  return coneOf(equippedImplants(implants, rules));
}

export function hitBreakdown(shot: HitShot, rules: BallisticsRules = ballisticsConfig): HitBreakdown {
  const outside = metersOutsideOptimal(shot.weaponClass, shot.distanceMeters, rules);
  const implants = equippedImplants(shot.implants, rules);
  const cone = coneOf(implants);
  const distancePenalty = rules.hit.penaltyPerMeterOutside * outside * cone;
  const smartAssistBonus = shot.smartAssist && hasSmartScope(shot.mods, rules) ? rules.hit.smartAssistBonus : 0;
  let modsBonus = 0;
  let ricochetBonus = 0;
  for (const modId of slotValues(shot.mods)) {
    if (!modId || !isModId(modId)) continue;
    const mod = rules.mods[modId];
    modsBonus += mod.hitChanceBonus;
    if (shot.ricochets) ricochetBonus += mod.ricochetHitBonus;
  }
  let implantsBonus = 0;
  for (const implant of implants) implantsBonus += implant.hitChanceBonus;
  const unclamped = rules.hit.base - distancePenalty + smartAssistBonus + modsBonus + implantsBonus + ricochetBonus;
  return {
    base: rules.hit.base,
    metersOutsideOptimal: outside,
    coneFactor: cone,
    distancePenalty,
    smartAssistBonus,
    modsBonus,
    implantsBonus,
    ricochetBonus,
    unclamped,
    hitProbability: clamp(unclamped, rules.hit.min, rules.hit.max),
  };
}

export function hitProbability(shot: HitShot, rules: BallisticsRules = ballisticsConfig): number {
  return hitBreakdown(shot, rules).hitProbability;
}

/** A roll in [0, 1) hits when it is below the probability. */
export function rollHits(probability: number, roll: number): boolean {
  return roll < probability;
}
