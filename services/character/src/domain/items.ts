import { type SkillName, type WeaponTemplateId, WeaponTemplates } from '@necp/contracts';
import { AppError } from '@necp/platform';
import type { AttributeName, EquipmentSlot } from './rules.ts';

export const ItemTypes = ['weapon', 'armor', 'implant', 'mod', 'ammo', 'consumable'] as const;
export type ItemType = (typeof ItemTypes)[number];
export const Rarities = ['common', 'uncommon', 'rare', 'epic', 'legendary'] as const;
export type Rarity = (typeof Rarities)[number];

export type ItemStats = Record<string, number | string | boolean>;
export type Requirements = Partial<Record<AttributeName | SkillName, number>>;

export interface ItemTemplate {
  id: string;
  name: string;
  type: ItemType;
  rarity: Rarity;
  /** 1 for items that stay individual (they carry durability or go into a slot). */
  stackSize: number;
  /** Grams per unit: sums stay exact integers. */
  weightGrams: number;
  /** Slots the item may be equipped into; empty for items that are never equipped. */
  slots: EquipmentSlot[];
  requirements: Requirements;
  /** Durability a fresh item starts with; null for items that do not wear. */
  maxDurability: number | null;
  stats: ItemStats;
}

const WeaponSlots: EquipmentSlot[] = ['weapon_1', 'weapon_2'];
const WeaponDurability = 100;

/** A weapon's class is the shared vocabulary's (`WeaponTemplates`), which gameplay models. */
interface WeaponLine {
  id: WeaponTemplateId;
  name: string;
  rarity: Rarity;
  weightGrams: number;
  baseDamage: number;
  pellets: number;
  optimalMinM: number;
  optimalMaxM: number;
  curvedShot: boolean;
  requirements: Requirements;
}

/** DOMAIN.md's weapon table (class, base damage, optimal range, curved shot); weights and requirements chosen here. */
const Weapons: WeaponLine[] = [
  {
    id: 'pistol_m10',
    name: 'M-10 Pistol',
    rarity: 'common',
    weightGrams: 1500,
    baseDamage: 60,
    pellets: 1,
    optimalMinM: 0,
    optimalMaxM: 20,
    curvedShot: false,
    requirements: {},
  },
  {
    id: 'smart_pistol_kenshin',
    name: 'Kenshin Smart Pistol',
    rarity: 'uncommon',
    weightGrams: 1400,
    baseDamage: 55,
    pellets: 1,
    optimalMinM: 0,
    optimalMaxM: 25,
    curvedShot: true,
    requirements: {},
  },
  {
    id: 'smg_pulsar',
    name: 'Pulsar SMG',
    rarity: 'common',
    weightGrams: 2500,
    baseDamage: 55,
    pellets: 1,
    optimalMinM: 0,
    optimalMaxM: 25,
    curvedShot: false,
    requirements: { reflexes: 4 },
  },
  {
    id: 'rifle_ajax',
    name: 'Ajax Assault Rifle',
    rarity: 'uncommon',
    weightGrams: 3500,
    baseDamage: 70,
    pellets: 1,
    optimalMinM: 15,
    optimalMaxM: 60,
    curvedShot: false,
    requirements: { body: 4 },
  },
  {
    id: 'smart_rifle_sor22',
    name: 'SOR-22 Smart Rifle',
    rarity: 'rare',
    weightGrams: 3800,
    baseDamage: 65,
    pellets: 1,
    optimalMinM: 15,
    optimalMaxM: 60,
    curvedShot: true,
    requirements: { technical: 5 },
  },
  {
    id: 'shotgun_carnage',
    name: 'Carnage Shotgun',
    rarity: 'common',
    weightGrams: 4000,
    baseDamage: 35,
    pellets: 8,
    optimalMinM: 0,
    optimalMaxM: 10,
    curvedShot: false,
    requirements: {},
  },
  {
    id: 'sniper_nekomata',
    name: 'Nekomata Sniper Rifle',
    rarity: 'epic',
    weightGrams: 6000,
    baseDamage: 140,
    pellets: 1,
    optimalMinM: 50,
    optimalMaxM: 200,
    curvedShot: false,
    requirements: { reflexes: 6, ballistics: 25 },
  },
  {
    id: 'energy_lexington',
    name: 'Lexington Energy Pistol',
    rarity: 'rare',
    weightGrams: 4500,
    baseDamage: 75,
    pellets: 1,
    optimalMinM: 20,
    optimalMaxM: 80,
    curvedShot: true,
    requirements: { technical: 6 },
  },
];

const weaponTemplates: ItemTemplate[] = Weapons.map((weapon) => ({
  id: weapon.id,
  name: weapon.name,
  type: 'weapon',
  rarity: weapon.rarity,
  stackSize: 1,
  weightGrams: weapon.weightGrams,
  slots: WeaponSlots,
  requirements: weapon.requirements,
  maxDurability: WeaponDurability,
  stats: {
    weaponClass: WeaponTemplates[weapon.id],
    baseDamage: weapon.baseDamage,
    pellets: weapon.pellets,
    optimalMinM: weapon.optimalMinM,
    optimalMaxM: weapon.optimalMaxM,
    curvedShot: weapon.curvedShot,
  },
}));

const ArmorDurability = 100;
/** Torso multipliers from DOMAIN.md (Combat); the flat armor points feed the sheet's derived armor. */
const armorTemplates: ItemTemplate[] = [
  { tier: 1, multiplier: 0.85, armor: 10, weightGrams: 4000, rarity: 'common' as const, requirements: {} },
  { tier: 2, multiplier: 0.75, armor: 20, weightGrams: 7000, rarity: 'uncommon' as const, requirements: { body: 5 } },
  { tier: 3, multiplier: 0.65, armor: 30, weightGrams: 10000, rarity: 'rare' as const, requirements: { body: 7 } },
].map((line) => ({
  id: `kevlar_t${line.tier}`,
  name: `Kevlar Vest T${line.tier}`,
  type: 'armor',
  rarity: line.rarity,
  stackSize: 1,
  weightGrams: line.weightGrams,
  slots: ['armor'],
  requirements: line.requirements,
  maxDurability: ArmorDurability,
  stats: { armor: line.armor, damageMultiplier: line.multiplier },
}));

const implantTemplates: ItemTemplate[] = [
  {
    id: 'smart_wrist_tendons',
    name: 'Smart Wrist Tendons',
    type: 'implant',
    rarity: 'rare',
    stackSize: 1,
    weightGrams: 300,
    slots: ['implant_arms'],
    requirements: { technical: 4 },
    maxDurability: null,
    stats: { enablesCurvedShot: true },
  },
  {
    id: 'gyro_stabilizer_mk3',
    name: 'Gyro Stabilizer Mk3',
    type: 'implant',
    rarity: 'rare',
    stackSize: 1,
    weightGrams: 300,
    slots: ['implant_nervous'],
    requirements: { reflexes: 5 },
    maxDurability: null,
    stats: { deviationConeFactor: 0.7 },
  },
  {
    id: 'kiroshi_optics',
    name: 'Kiroshi Optics',
    type: 'implant',
    rarity: 'uncommon',
    stackSize: 1,
    weightGrams: 100,
    slots: ['implant_eyes'],
    requirements: {},
    maxDurability: null,
    stats: { hitChanceBonus: 0.05 },
  },
];

interface ModLine {
  id: string;
  name: string;
  modSlot: string;
  rarity: Rarity;
  stats: ItemStats;
}

/** Weapon mods are installed on weapons by gameplay-service; here they are owned items. */
const Mods: ModLine[] = [
  {
    id: 'barrel_heavy_mk1',
    name: 'Heavy Barrel Mk1',
    modSlot: 'barrel',
    rarity: 'common',
    stats: { damageMultiplier: 1.1 },
  },
  {
    id: 'barrel_suppressed_mk1',
    name: 'Suppressed Barrel Mk1',
    modSlot: 'barrel',
    rarity: 'common',
    stats: { damageMultiplier: 0.95 },
  },
  {
    id: 'scope_smart_mk1',
    name: 'Smart Scope Mk1',
    modSlot: 'scope',
    rarity: 'uncommon',
    stats: { smartAssist: true },
  },
  {
    id: 'scope_smart_mk2',
    name: 'Smart Scope Mk2',
    modSlot: 'scope',
    rarity: 'rare',
    stats: { smartAssist: true, ricochetHitBonus: 0.1, requiresEngineering: 40 },
  },
  { id: 'scope_thermal', name: 'Thermal Scope', modSlot: 'scope', rarity: 'uncommon', stats: { thermal: true } },
  {
    id: 'stock_stabilizer',
    name: 'Stabilizer Stock',
    modSlot: 'stock',
    rarity: 'common',
    stats: { hitChanceBonus: 0.03 },
  },
  {
    id: 'chip_targeting',
    name: 'Targeting Chip',
    modSlot: 'chip',
    rarity: 'uncommon',
    stats: { hitChanceBonus: 0.05 },
  },
  {
    id: 'neuro_gyro_coupler',
    name: 'Neuro-Gyro Coupler',
    modSlot: 'chip',
    rarity: 'rare',
    stats: { enablesCurvedShot: true },
  },
  { id: 'mag_extended', name: 'Extended Magazine', modSlot: 'magazine', rarity: 'common', stats: {} },
];
const ModWeightGrams = 250;

const modTemplates: ItemTemplate[] = Mods.map((mod) => ({
  id: mod.id,
  name: mod.name,
  type: 'mod',
  rarity: mod.rarity,
  stackSize: 1,
  weightGrams: ModWeightGrams,
  slots: [],
  requirements: {},
  maxDurability: null,
  stats: { modSlot: mod.modSlot, ...mod.stats },
}));

const AmmoStackSize = 200;
const AmmoRoundGrams = 20;
const ammoTemplates: ItemTemplate[] = [
  { id: 'standard', name: 'Standard Rounds', damageMultiplier: 1.0, rarity: 'common' as const },
  { id: 'armor_piercing', name: 'Armor-Piercing Rounds', damageMultiplier: 1.0, rarity: 'uncommon' as const },
  { id: 'expansive', name: 'Expansive Rounds', damageMultiplier: 1.15, rarity: 'uncommon' as const },
  { id: 'ricochet_rounds', name: 'Ricochet Rounds', damageMultiplier: 0.95, rarity: 'rare' as const },
  { id: 'emp', name: 'EMP Rounds', damageMultiplier: 0.9, rarity: 'rare' as const },
].map((line) => ({
  id: line.id,
  name: line.name,
  type: 'ammo',
  rarity: line.rarity,
  stackSize: AmmoStackSize,
  weightGrams: AmmoRoundGrams,
  slots: [],
  requirements: {},
  maxDurability: null,
  stats: { ammoType: line.id, damageMultiplier: line.damageMultiplier },
}));

/** How much one medkit restores; clamped to the sheet's maxHealth. */
export const MedkitHeal = 40;
const consumableTemplates: ItemTemplate[] = [
  {
    id: 'medkit',
    name: 'Medkit',
    type: 'consumable',
    rarity: 'common',
    stackSize: 10,
    weightGrams: 500,
    slots: [],
    requirements: {},
    maxDurability: null,
    stats: { heal: MedkitHeal },
  },
];

export const ItemTemplates: readonly ItemTemplate[] = [
  ...weaponTemplates,
  ...armorTemplates,
  ...implantTemplates,
  ...modTemplates,
  ...ammoTemplates,
  ...consumableTemplates,
];

const byId = new Map(ItemTemplates.map((template) => [template.id, template]));

export function findTemplate(templateId: string): ItemTemplate | undefined {
  return byId.get(templateId);
}

/** A template the service itself named (a stored stack, the starting kit): missing means the catalogue lost it. */
export function knownTemplate(templateId: string): ItemTemplate {
  const template = byId.get(templateId);
  if (!template) throw new Error(`unknown item template ${templateId}`);
  return template;
}

/** A template a caller named: 400 when the catalogue has none. */
export function requestedTemplate(templateId: string): ItemTemplate {
  const template = byId.get(templateId);
  if (!template) {
    throw new AppError('VALIDATION_ERROR', `Unknown item template ${templateId}`, {
      errors: [{ path: 'body/templateId', message: 'is not an item template' }],
    });
  }
  return template;
}
