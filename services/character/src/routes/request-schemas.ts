import { Districts, SkillNames } from '@necp/contracts';
import { pageQuery, Uuid } from '@necp/platform';
import { Type } from 'typebox';
import { NamePattern } from '../domain/character.ts';
import { ItemTemplates } from '../domain/items.ts';
import { CharacterRules, Classes, EquipmentSlots, Factions, Origins } from '../domain/rules.ts';

/** What character-service's routes take: paths, bodies, headers and queries. */

const OriginSchema = Type.Enum([...Origins]);
const ClassSchema = Type.Enum([...Classes]);
const FactionSchema = Type.Enum([...Factions]);
const DistrictSchema = Type.Enum([...Districts]);
const SlotSchema = Type.Enum([...EquipmentSlots]);

const AppearanceValue = Type.String({ minLength: 1, maxLength: 40 });
/** A fixed set of looks, so clients cannot park arbitrary data on a character. */
const AppearanceSchema = Type.Object(
  {
    bodyType: Type.Optional(AppearanceValue),
    skinTone: Type.Optional(AppearanceValue),
    hairStyle: Type.Optional(AppearanceValue),
    hairColor: Type.Optional(AppearanceValue),
    eyeColor: Type.Optional(AppearanceValue),
    tattoos: Type.Optional(AppearanceValue),
    voice: Type.Optional(AppearanceValue),
  },
  { additionalProperties: false },
);

export const CharacterIdParams = Type.Object({ characterId: Uuid });
export const ItemParams = Type.Object({ characterId: Uuid, itemId: Uuid });

export const CreateCharacterBody = Type.Object(
  {
    // The naming rule as the document shows it (for a name in NFC, as clients send them); the domain
    // checks it again on the normalized name.
    name: Type.String({
      minLength: CharacterRules.nameMinLength,
      maxLength: CharacterRules.nameMaxLength,
      pattern: NamePattern.source,
    }),
    origin: OriginSchema,
    class: ClassSchema,
    faction: Type.Optional(FactionSchema),
    appearance: Type.Optional(AppearanceSchema),
  },
  { additionalProperties: false },
);

export const PatchCharacterBody = Type.Object(
  { appearance: Type.Optional(AppearanceSchema), district: Type.Optional(DistrictSchema) },
  { additionalProperties: false, minProperties: 1 },
);

export const ListQuery = pageQuery({ deleted: Type.Optional(Type.Boolean({ default: false })) });

export const PatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
export const SheetHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

export const EquipBody = Type.Object({ slot: Type.Optional(SlotSchema) }, { additionalProperties: false });
export const DropBody = Type.Object(
  { quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })) },
  { additionalProperties: false },
);
/** Item actions take no options: a stray field is a 400 like everywhere else. */
export const EmptyBody = Type.Object({}, { additionalProperties: false });

export const GrantBody = Type.Object(
  {
    templateId: Type.Enum(ItemTemplates.map((template) => template.id)),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
    source: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_.:-]+$' }),
    sourceId: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);

const SkillLevel = Type.Integer({ minimum: CharacterRules.minSkill, maximum: CharacterRules.maxSkill });
/** The skills an admin or service sets: the ones named change, the others keep their level. */
export const SetSkillsBody = Type.Object(
  {
    skills: Type.Object(Object.fromEntries(SkillNames.map((name) => [name, Type.Optional(SkillLevel)])), {
      additionalProperties: false,
      minProperties: 1,
    }),
  },
  { additionalProperties: false },
);
