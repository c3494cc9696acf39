import { SkillNames } from '@necp/contracts';
import { pageSchema, Uuid } from '@necp/platform';
import { Type } from 'typebox';
import { ItemTypes, Rarities } from '../domain/items.ts';
import { AttributeNames } from '../domain/rules.ts';

/** What character-service's routes answer. */

const numbersOf = (names: readonly string[]) =>
  Type.Object(Object.fromEntries(names.map((name) => [name, Type.Integer()])));

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

export const ListSchema = pageSchema(SummarySchema);

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
  faction: Type.Union([Type.String(), Type.Null()]),
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
