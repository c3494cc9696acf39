import type { HttpApp } from '@necp/platform';
import { startingStats } from '../domain/character.ts';
import { GramsPerKg } from '../domain/inventory.ts';
import { ItemTemplates } from '../domain/items.ts';
import {
  AttributeNames,
  CharacterRules,
  Classes,
  DerivedStatRules,
  Districts,
  EquipmentSlots,
  Factions,
  Origins,
  SkillNames,
  StartingAttributes,
  StartingKit,
} from '../domain/rules.ts';
import { Prefix } from './context.ts';
import { ReferenceSchema } from './schemas.ts';

/** Built once: the reference data only changes with a deployment. */
function referenceData() {
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

export function referenceRoutes(app: HttpApp): void {
  const body = referenceData();
  app.get(
    `${Prefix}/reference`,
    {
      schema: {
        tags: ['characters'],
        summary: 'Origins, classes, factions, districts, starting values and item templates (public)',
        response: { 200: ReferenceSchema },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return body;
    },
  );
}
