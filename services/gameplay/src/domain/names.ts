/**
 * The words of the combat model (shared/DOMAIN.md, Combat and ballistics) that only gameplay speaks.
 * Weapon classes, weapon templates and skill names are the shared vocabulary's (@necp/contracts); the
 * ids here match character-service's item catalogue (armor, implants, mods, ammo are items it owns).
 */
import type { Skills, WeaponClass } from '@necp/contracts';

export const AmmoTypes = ['standard', 'armor_piercing', 'expansive', 'ricochet_rounds', 'emp'] as const;
export type AmmoType = (typeof AmmoTypes)[number];

/** `none` is a target without armor; the rest are the kevlar items' ids. */
export const ArmorTiers = ['none', 'kevlar_t1', 'kevlar_t2', 'kevlar_t3'] as const;
export type ArmorTier = (typeof ArmorTiers)[number];

/** API.md §4 `environmentMaterial`. */
export const Surfaces = ['metal', 'concrete', 'glass', 'organic', 'shield'] as const;
export type Surface = (typeof Surfaces)[number];

export const ModSlots = ['barrel', 'scope', 'stock', 'chip', 'magazine'] as const;
export type ModSlot = (typeof ModSlots)[number];

export const ModIds = [
  'barrel_heavy_mk1',
  'barrel_suppressed_mk1',
  'scope_smart_mk1',
  'scope_smart_mk2',
  'scope_thermal',
  'stock_stabilizer',
  'chip_targeting',
  'neuro_gyro_coupler',
  'mag_extended',
] as const;
export type ModId = (typeof ModIds)[number];

export const ImplantIds = ['smart_wrist_tendons', 'gyro_stabilizer_mk3', 'kiroshi_optics'] as const;
export type ImplantId = (typeof ImplantIds)[number];

export const StatusEffects = ['electro_shock', 'stun'] as const;
export type StatusEffect = (typeof StatusEffects)[number];

/** Combat skills (perks) unlocked by a skill level: not skills of their own in the character sheet. */
export const CombatSkillIds = ['trajectory_sculptor', 'tactical_bounce'] as const;
export type CombatSkillId = (typeof CombatSkillIds)[number];

/** Installed mods by slot, as a weapon carries them; an absent or null slot is empty. */
export type InstalledMods = Partial<Record<ModSlot, string | null>>;

/**
 * A per-slot record's values in `ModSlots` order, each read by its property name (a weapon's installed
 * mod ids, the configuration's suggestions). The model walks them several times per shot;
 * `record[slot]` over five slot names at one site is a megamorphic keyed load (several times slower
 * than named reads), so the walks read through this instead.
 */
export function slotValues<T>(record: Partial<Record<ModSlot, T>>): readonly (T | undefined)[] {
  return [record.barrel, record.scope, record.stock, record.chip, record.magazine];
}

/** What the character brings to a shot: the weapon's class and mods, equipped implants, skill levels. */
export interface Loadout {
  weaponClass: WeaponClass;
  mods: InstalledMods;
  /** Implant item ids equipped; unknown ids are ignored. */
  implants: readonly string[];
  /** Skill levels 0–100; an absent skill is 0. */
  skills: Partial<Skills>;
}

/** A Set, not `ModIds.includes`: the model asks this for every installed mod several times per shot. */
const ModIdSet: ReadonlySet<string> = new Set(ModIds);

export function isModId(id: string): id is ModId {
  return ModIdSet.has(id);
}
