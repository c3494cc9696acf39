import { ProblemSchema } from '@necp/platform';
import { Type } from 'typebox';
import { ItemTypes, Rarities } from '../domain/items.ts';
import {
  AttributeNames,
  CharacterRules,
  Classes,
  Districts,
  EquipmentSlots,
  Factions,
  Origins,
  SkillNames,
} from '../domain/rules.ts';

export const Uuid = Type.String({ format: 'uuid' });
export const OriginSchema = Type.Enum([...Origins]);
export const ClassSchema = Type.Enum([...Classes]);
export const FactionSchema = Type.Enum([...Factions]);
export const DistrictSchema = Type.Enum([...Districts]);
export const SlotSchema = Type.Enum([...EquipmentSlots]);

const AppearanceValue = Type.String({ minLength: 1, maxLength: 40 });
/** A fixed set of looks, so clients cannot park arbitrary data on a character. */
export const AppearanceSchema = Type.Object(
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

const numbersOf = (names: readonly string[]) =>
  Type.Object(Object.fromEntries(names.map((name) => [name, Type.Integer()])));

export const CharacterIdParams = Type.Object({ characterId: Uuid });
export const ItemParams = Type.Object({ characterId: Uuid, itemId: Uuid });

export const CreateCharacterBody = Type.Object(
  {
    // The pattern and length are checked again by the domain, which gives the precise rule.
    name: Type.String({ minLength: 1, maxLength: CharacterRules.nameMaxLength * 2 }),
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

export const DefaultPageSize = 20;

export const ListQuery = Type.Object(
  {
    // Optional with the default applied by the route: the validator checks, it does not fill in.
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DefaultPageSize })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    deleted: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

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
    templateId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' }),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
    source: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_.:-]+$' }),
    sourceId: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);

const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
const Stats = Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()]));

export const SummarySchema = Type.Object({
  characterId: Uuid,
  name: Type.String(),
  origin: Type.String(),
  class: Type.String(),
  faction: Type.Union([Type.String(), Type.Null()]),
  level: Type.Integer(),
  district: Type.String(),
  createdAt: Timestamp,
  deletedAt: NullableTimestamp,
  restorableUntil: NullableTimestamp,
});

export const DerivedSchema = Type.Object({
  maxHealth: Type.Integer(),
  armor: Type.Integer(),
  weightCapacityKg: Type.Number(),
  backpackSlots: Type.Integer(),
});

export const SheetSchema = Type.Object({
  ...SummarySchema.properties,
  accountId: Uuid,
  appearance: Type.Record(Type.String(), Type.String()),
  attributes: numbersOf(AttributeNames),
  skills: numbersOf(SkillNames),
  xp: Type.Integer(),
  health: Type.Integer(),
  reputation: Type.Integer(),
  derived: DerivedSchema,
  updatedAt: Timestamp,
  etag: Type.String(),
});

export const ListSchema = Type.Object({
  items: Type.Array(SummarySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const ItemSchema = Type.Object({
  itemId: Uuid,
  templateId: Type.String(),
  name: Type.String(),
  type: Type.String(),
  rarity: Type.String(),
  quantity: Type.Integer(),
  equipped: Type.Boolean(),
  slot: Type.Union([Type.String(), Type.Null()]),
  durability: Type.Union([Type.Integer(), Type.Null()]),
  stats: Stats,
});

export const InventorySchema = Type.Object({
  items: Type.Array(ItemSchema),
  slotsUsed: Type.Integer(),
  slotCapacity: Type.Integer(),
  weight: Type.Number(),
  weightCapacity: Type.Number(),
});

export const UseResultSchema = Type.Object({
  itemId: Uuid,
  templateId: Type.String(),
  quantityLeft: Type.Integer(),
  health: Type.Integer(),
  maxHealth: Type.Integer(),
});

export const GrantResultSchema = Type.Object({
  characterId: Uuid,
  templateId: Type.String(),
  quantity: Type.Integer(),
  source: Type.String(),
  sourceId: Type.String(),
  items: Type.Array(ItemSchema),
});

export const TemplateSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.Enum([...ItemTypes]),
  rarity: Type.Enum([...Rarities]),
  stackSize: Type.Integer(),
  weightKg: Type.Number(),
  slots: Type.Array(Type.String()),
  requirements: Type.Record(Type.String(), Type.Integer()),
  maxDurability: Type.Union([Type.Integer(), Type.Null()]),
  stats: Stats,
});

export const ReferenceSchema = Type.Object({
  origins: Type.Array(Type.String()),
  classes: Type.Array(Type.String()),
  factions: Type.Array(Type.String()),
  districts: Type.Array(Type.String()),
  attributes: Type.Array(Type.String()),
  skills: Type.Array(Type.String()),
  equipmentSlots: Type.Array(Type.String()),
  startingAttributes: Type.Record(Type.String(), numbersOf(AttributeNames)),
  startingSkills: Type.Record(Type.String(), numbersOf(SkillNames)),
  startingKit: Type.Record(
    Type.String(),
    Type.Array(Type.Object({ templateId: Type.String(), quantity: Type.Integer() })),
  ),
  rules: Type.Object({
    slotsPerAccount: Type.Integer(),
    restoreWindowDays: Type.Integer(),
    nameMinLength: Type.Integer(),
    nameMaxLength: Type.Integer(),
    backpackSlots: Type.Integer(),
  }),
  itemTemplates: Type.Array(TemplateSchema),
});

const WeaponSchema = Type.Object({
  itemId: Uuid,
  templateId: Type.String(),
  slot: Type.Union([Type.String(), Type.Null()]),
  weaponClass: Type.String(),
  durability: Type.Union([Type.Integer(), Type.Null()]),
});

export const LoadoutSchema = Type.Object({
  characterId: Uuid,
  accountId: Uuid,
  class: Type.String(),
  level: Type.Integer(),
  district: Type.String(),
  attributes: numbersOf(AttributeNames),
  skills: numbersOf(SkillNames),
  derived: DerivedSchema,
  weapons: Type.Array(WeaponSchema),
  armor: Type.Union([
    Type.Object({ itemId: Uuid, templateId: Type.String(), durability: Type.Union([Type.Integer(), Type.Null()]) }),
    Type.Null(),
  ]),
  implants: Type.Array(
    Type.Object({ itemId: Uuid, templateId: Type.String(), slot: Type.Union([Type.String(), Type.Null()]) }),
  ),
  mods: Type.Array(Type.Object({ itemId: Uuid, templateId: Type.String() })),
  ammo: Type.Array(Type.Object({ itemId: Uuid, templateId: Type.String(), quantity: Type.Integer() })),
});

export const SkillsSchema = Type.Object({
  characterId: Uuid,
  skills: numbersOf(SkillNames),
});

/** Problem answers listed in the OpenAPI document. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, ProblemSchema]));
}

/**
 * preValidation: an action whose body is all optional may be sent without one; the schema then
 * checks `{}`, and anything actually sent is still validated.
 */
export function bodyMayBeOmitted(request: { body: unknown }, _reply: unknown, done: () => void): void {
  request.body ??= {};
  done();
}
