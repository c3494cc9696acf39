import { Districts, SkillNames } from '@necp/contracts';
import { startingStats } from './character.ts';
import { GramsPerKg } from './inventory.ts';
import { ItemTemplates } from './items.ts';
import {
  AttributeNames,
  CharacterRules,
  Classes,
  DerivedStatRules,
  EquipmentSlots,
  Factions,
  Origins,
  StartingAttributes,
  StartingKit,
} from './rules.ts';

/** The reference data clients build their screens from: the rules and the item catalogue (weights in kg). */
export function referenceData() {
  return {
    origins: [...Origins],
    classes: [...Classes],
    factions: [...Factions],
    districts: [...Districts],
    attributes: [...AttributeNames],
    skills: [...SkillNames],
    equipmentSlots: [...EquipmentSlots],
    startingAttributes: StartingAttributes,
    startingSkills: Object.fromEntries(
      Classes.map((characterClass) => [characterClass, startingStats(Origins[0], characterClass).skills]),
    ),
    startingKit: StartingKit,
    rules: {
      slotsPerAccount: CharacterRules.slotsPerAccount,
      restoreWindowDays: CharacterRules.restoreWindowDays,
      nameMinLength: CharacterRules.nameMinLength,
      nameMaxLength: CharacterRules.nameMaxLength,
      backpackSlots: DerivedStatRules.backpackSlots,
    },
    itemTemplates: ItemTemplates.map(({ weightGrams, ...template }) => ({
      ...template,
      weightKg: weightGrams / GramsPerKg,
    })),
  };
}
