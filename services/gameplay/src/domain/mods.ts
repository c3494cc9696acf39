/**
 * Weapon mod rules (DOMAIN.md): one mod per slot (barrel, scope, stock, chip, magazine), each mod in its
 * own slot; no scope on a shotgun; smart scopes only on smart_* and energy classes; MK2 mods need
 * engineering ≥ 40. Validation names every conflicting slot with suggested replacements (null: leave
 * the slot empty), so a PATCH can be refused whole with 422 MOD_CONFLICT.
 */
import type { SkillName, Skills, WeaponClass } from '@necp/contracts';
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';
import { type InstalledMods, isModId, type ModId, ModIds, type ModSlot, ModSlots, slotValues } from './names.ts';

export type ModRuleBroken =
  | 'UNKNOWN_MOD'
  | 'WRONG_SLOT'
  | 'DUPLICATE_SLOT'
  | 'SCOPE_NOT_ALLOWED'
  | 'SMART_SCOPE_CLASS'
  | 'SKILL_TOO_LOW';

export interface ModSuggestion {
  slot: ModSlot;
  modId: ModId | null;
}

export interface ModConflict {
  slot: ModSlot;
  modId: string;
  rule: ModRuleBroken;
  message: string;
  /** Present for SKILL_TOO_LOW. */
  requires?: { skill: SkillName; level: number; actual: number };
  suggestions: ModSuggestion[];
}

export interface ModValidation {
  conflicts: ModConflict[];
  /** The slots named by the conflicts, once each, in slot order. */
  conflictingSlots: ModSlot[];
}

interface BrokenRule {
  rule: ModRuleBroken;
  message: string;
  requires?: { skill: SkillName; level: number; actual: number };
}

/** The rules a known mod breaks on this class with these skills, assuming it sits in its own slot. */
export function modRulesBroken(
  weaponClass: WeaponClass,
  modId: ModId,
  skills: Partial<Skills>,
  rules: BallisticsRules = ballisticsConfig,
): BrokenRule[] {
  const mod = rules.mods[modId];
  const broken: BrokenRule[] = [];
  if (mod.slot === 'scope' && rules.modRules.noScopeClasses.includes(weaponClass)) {
    broken.push({ rule: 'SCOPE_NOT_ALLOWED', message: `no scope fits a ${weaponClass}` });
  } else if (mod.smart && !rules.modRules.smartScopeClasses.includes(weaponClass)) {
    broken.push({
      rule: 'SMART_SCOPE_CLASS',
      message: `smart scopes fit ${rules.modRules.smartScopeClasses.join(', ')} only`,
    });
  }
  const needs = rules.modRules.tierRequirements[mod.tier];
  const actual = needs ? (skills[needs.skill] ?? 0) : 0;
  if (needs && actual < needs.level) {
    broken.push({
      rule: 'SKILL_TOO_LOW',
      message: `${modId} needs ${needs.skill} ${needs.level}`,
      requires: { skill: needs.skill, level: needs.level, actual },
    });
  }
  return broken;
}

/** Whether a known mod fits the class with these skills (modRulesBroken is empty), without allocating. */
export function modFits(
  weaponClass: WeaponClass,
  modId: ModId,
  skills: Partial<Skills>,
  rules: BallisticsRules = ballisticsConfig,
): boolean {
  const mod = rules.mods[modId];
  if (mod.slot === 'scope' && rules.modRules.noScopeClasses.includes(weaponClass)) return false;
  if (mod.smart && !rules.modRules.smartScopeClasses.includes(weaponClass)) return false;
  const needs = rules.modRules.tierRequirements[mod.tier];
  return !needs || (skills[needs.skill] ?? 0) >= needs.level;
}

/** The mods a class takes in a slot (all skills assumed when `skills` is omitted: the weapon's profile). */
export function modsFor(
  weaponClass: WeaponClass,
  slot: ModSlot | null,
  skills: Partial<Skills> | null,
  rules: BallisticsRules = ballisticsConfig,
): ModId[] {
  return ModIds.filter((modId) => {
    const mod = rules.mods[modId];
    if (slot !== null && mod.slot !== slot) return false;
    const broken = modRulesBroken(weaponClass, modId, skills ?? {}, rules);
    return broken.every((rule) => skills === null && rule.rule === 'SKILL_TOO_LOW');
  });
}

function alternatives(weaponClass: WeaponClass, slot: ModSlot, skills: Partial<Skills>, rules: BallisticsRules) {
  const suggestions: ModSuggestion[] = modsFor(weaponClass, slot, skills, rules).map((modId) => ({ slot, modId }));
  suggestions.push({ slot, modId: null });
  return suggestions;
}

/** Whether every installed mod is known, in its own slot and fits: validateMods would find nothing. */
export function modsValid(
  weaponClass: WeaponClass,
  mods: InstalledMods,
  skills: Partial<Skills>,
  rules: BallisticsRules = ballisticsConfig,
): boolean {
  const modIds = slotValues(mods);
  for (let i = 0; i < modIds.length; i += 1) {
    const modId = modIds[i];
    if (modId == null) continue;
    if (!isModId(modId) || rules.mods[modId].slot !== ModSlots[i] || !modFits(weaponClass, modId, skills, rules))
      return false;
  }
  return true;
}

/** Every conflict of a weapon's installed mods. */
export function validateMods(
  weaponClass: WeaponClass,
  mods: InstalledMods,
  skills: Partial<Skills>,
  rules: BallisticsRules = ballisticsConfig,
): ModValidation {
  const conflicts: ModConflict[] = [];
  for (const slot of ModSlots) {
    const modId = mods[slot];
    if (modId == null) continue;
    if (!isModId(modId)) {
      conflicts.push({
        slot,
        modId,
        rule: 'UNKNOWN_MOD',
        message: `${modId} is not a weapon mod`,
        suggestions: alternatives(weaponClass, slot, skills, rules),
      });
      continue;
    }
    const ownSlot = rules.mods[modId].slot;
    if (ownSlot !== slot) {
      const suggestions: ModSuggestion[] = modFits(weaponClass, modId, skills, rules) ? [{ slot: ownSlot, modId }] : [];
      suggestions.push({ slot, modId: null });
      conflicts.push({ slot, modId, rule: 'WRONG_SLOT', message: `${modId} goes in the ${ownSlot} slot`, suggestions });
      continue;
    }
    for (const broken of modRulesBroken(weaponClass, modId, skills, rules)) {
      conflicts.push({ slot, modId, ...broken, suggestions: alternatives(weaponClass, slot, skills, rules) });
    }
  }
  return { conflicts, conflictingSlots: slotsOf(conflicts) };
}

export interface ModPatch {
  strategy: 'merge' | 'overwrite';
  slots: readonly { slot: ModSlot; modId: string | null }[];
}

/**
 * A PATCH applied to the installed mods: merge keeps the slots it does not name, overwrite empties them.
 * A slot named twice is a DUPLICATE_SLOT conflict (one mod per slot); the result is then validated whole.
 */
export function applyModPatch(
  weaponClass: WeaponClass,
  current: InstalledMods,
  patch: ModPatch,
  skills: Partial<Skills>,
  rules: BallisticsRules = ballisticsConfig,
): ModValidation & { mods: InstalledMods } {
  const mods: InstalledMods = patch.strategy === 'merge' ? { ...current } : {};
  const named = new Map<ModSlot, (string | null)[]>();
  for (const entry of patch.slots) {
    named.set(entry.slot, [...(named.get(entry.slot) ?? []), entry.modId]);
    mods[entry.slot] = entry.modId;
  }
  const duplicates: ModConflict[] = [];
  for (const [slot, modIds] of named) {
    if (modIds.length < 2) continue;
    const fitting = modIds.filter((id): id is ModId => id !== null && isModId(id) && rules.mods[id].slot === slot);
    duplicates.push({
      slot,
      modId: modIds.map((id) => id ?? 'none').join(', '),
      rule: 'DUPLICATE_SLOT',
      message: `one mod per slot: ${slot} is named ${modIds.length} times`,
      suggestions: fitting.filter((id) => modFits(weaponClass, id, skills, rules)).map((modId) => ({ slot, modId })),
    });
  }
  const validation = validateMods(weaponClass, mods, skills, rules);
  const conflicts = [...duplicates, ...validation.conflicts];
  return { mods, conflicts, conflictingSlots: slotsOf(conflicts) };
}

function slotsOf(conflicts: readonly ModConflict[]): ModSlot[] {
  return ModSlots.filter((slot) => conflicts.some((conflict) => conflict.slot === slot));
}

/** The stats mods give a weapon (PATCH's answer): damage and hit-chance effects, smart assist. */
export function modStats(mods: InstalledMods, rules: BallisticsRules = ballisticsConfig) {
  let damageMultiplier = 1;
  let hitChanceBonus = 0;
  let ricochetHitBonus = 0;
  let smartAssist = false;
  for (const modId of slotValues(mods)) {
    if (modId == null || !isModId(modId)) continue;
    const mod = rules.mods[modId];
    damageMultiplier *= mod.damageMultiplier;
    hitChanceBonus += mod.hitChanceBonus;
    ricochetHitBonus += mod.ricochetHitBonus;
    smartAssist ||= mod.smart;
  }
  return { damageMultiplier, hitChanceBonus, ricochetHitBonus, smartAssist };
}
