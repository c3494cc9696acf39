import type { District, Skills } from '@necp/contracts';

/**
 * Every number of DOMAIN.md (Characters) as configuration: a designer changes a value here, never
 * inside the logic that uses it. The names other services speak too (districts, skills, weapon
 * classes) are `@necp/contracts`' vocabulary.
 */

export const Origins = ['street_kid', 'corpo', 'nomad'] as const;
export type Origin = (typeof Origins)[number];

export const Classes = ['solo', 'netrunner', 'techie'] as const;
export type CharacterClass = (typeof Classes)[number];

export const Factions = ['arasaka', 'militech', 'valentinos', 'maelstrom', 'ncpd'] as const;
export type Faction = (typeof Factions)[number];

export const AttributeNames = ['body', 'reflexes', 'technical', 'intelligence', 'cool', 'empathy'] as const;
export type AttributeName = (typeof AttributeNames)[number];
export type Attributes = Record<AttributeName, number>;

export const SkillRange = { min: 0, max: 100 } as const;

export const StartingAttributes: Record<CharacterClass, Attributes> = {
  solo: { body: 7, reflexes: 7, technical: 4, intelligence: 3, cool: 6, empathy: 3 },
  netrunner: { body: 3, reflexes: 5, technical: 5, intelligence: 8, cool: 5, empathy: 4 },
  techie: { body: 4, reflexes: 4, technical: 8, intelligence: 6, cool: 4, empathy: 4 },
};

/** Skills a class does not name start at SkillRange.min. */
export const StartingSkills: Record<CharacterClass, Partial<Skills>> = {
  solo: { ballistics: 30, precision: 20, engineering: 5 },
  netrunner: { hacking: 35, precision: 10, engineering: 10 },
  techie: { engineering: 35, ballistics: 15, precision: 10 },
};

export interface KitEntry {
  templateId: string;
  quantity: number;
}

/** The items character-service places; eddies and materials are economy's (it reacts to `created`). */
export const StartingKit: Record<Origin, KitEntry[]> = {
  street_kid: [
    { templateId: 'pistol_m10', quantity: 1 },
    { templateId: 'medkit', quantity: 5 },
  ],
  corpo: [
    { templateId: 'smart_pistol_kenshin', quantity: 1 },
    { templateId: 'medkit', quantity: 2 },
  ],
  nomad: [
    { templateId: 'shotgun_carnage', quantity: 1 },
    { templateId: 'medkit', quantity: 3 },
  ],
};

/** Not in DOMAIN.md: a new character starts in the district its origin story belongs to. */
export const StartingDistrict: Record<Origin, District> = {
  street_kid: 'watson',
  corpo: 'westbrook',
  nomad: 'heywood',
};

export const CharacterRules = {
  slotsPerAccount: 3,
  restoreWindowDays: 30,
  nameMinLength: 3,
  nameMaxLength: 20,
  startingLevel: 1,
  startingXp: 0,
  startingReputation: 0,
  /** Skills run 0–100 (DOMAIN.md, Characters). */
  minSkill: 0,
  maxSkill: 100,
} as const;

export const DerivedStatRules = {
  baseMaxHealth: 100,
  maxHealthPerBody: 10,
  armorPerBody: 2,
  baseWeightCapacityKg: 50,
  weightCapacityPerBodyKg: 15,
  backpackSlots: 50,
} as const;

export const EquipmentSlots = [
  'weapon_1',
  'weapon_2',
  'armor',
  'implant_arms',
  'implant_nervous',
  'implant_eyes',
] as const;
export type EquipmentSlot = (typeof EquipmentSlots)[number];
