/** gameplay's route schemas (API.md §4); the shared ones (Uuid, problems) are the platform's. */
import { Uuid } from '@necp/platform';
import { type TNumber, type TSchema, Type } from 'typebox';
import { ballisticsConfig } from '../domain/ballistics-config.ts';
import { AmmoTypes, ArmorTiers, ModSlots, Surfaces } from '../domain/names.ts';
import { MaxSeed } from '../domain/random.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const numbers = <K extends string>(names: readonly K[]) =>
  Type.Object(Object.fromEntries(names.map((name) => [name, Type.Number()])) as Record<K, TNumber>);
const Timestamp = Type.String({ format: 'date-time' });
const limits = ballisticsConfig.limits;
const BendAngle = Type.Number({ minimum: 0, maximum: ballisticsConfig.curvedShot.maxBendAngle });
const ModSlotSchema = Type.Enum([...ModSlots]);
/** Mod and template ids: lower-case words; an unknown one is the domain's to name (a conflict, a 404). */
const ItemName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' });

export const SimulateBody = Type.Object(
  {
    characterId: Uuid,
    weaponId: Uuid,
    ammoType: Type.Enum([...AmmoTypes]),
    distanceMeters: Type.Number({ minimum: 0, maximum: limits.maxDistanceMeters }),
    angleDegrees: Type.Number({ minimum: 0, maximum: limits.maxAngleDegrees }),
    targetArmor: Type.Enum([...ArmorTiers]),
    environmentMaterial: Type.Enum([...Surfaces]),
    flags: Type.Object(
      { curvedShot: Type.Optional(Type.Boolean()), smartAssist: Type.Optional(Type.Boolean()) },
      { additionalProperties: false },
    ),
    bendAngle: Type.Optional(BendAngle),
    combatId: Type.Optional(Uuid),
    linkedOrderId: Type.Optional(Uuid),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: MaxSeed })),
  },
  { additionalProperties: false },
);

export const SimulationSchema = Type.Object({
  simulationId: Uuid,
  combatId: Uuid,
  characterId: Uuid,
  weaponId: Uuid,
  rulesetVersion: Type.String(),
  rulesetFingerprint: Type.String(),
  seed: Type.Integer(),
  hitProbability: Type.Number(),
  expectedDamage: Type.Number(),
  damageBreakdown: numbers([
    'baseDamage',
    'pellets',
    'distanceMultiplier',
    'armorMultiplier',
    'ammoMultiplier',
    'modsMultiplier',
    'curvedShotMultiplier',
    'damagePerHit',
    'directDamage',
    'ricochetDamage',
  ]),
  hitBreakdown: numbers([
    'base',
    'metersOutsideOptimal',
    'coneFactor',
    'distancePenalty',
    'smartAssistBonus',
    'modsBonus',
    'implantsBonus',
    'ricochetBonus',
    'unclamped',
    'hitProbability',
  ]),
  ricochetPath: Type.Array(Type.Object({ surface: Type.String(), damageMultiplier: Type.Number() })),
  statusEffects: Type.Array(Type.Object({ effect: Type.String(), chance: Type.Number(), applied: Type.Boolean() })),
  curvedShotUsed: Type.Boolean(),
  cooldownSeconds: Type.Number(),
  energyCost: Type.Number(),
  hit: Type.Boolean(),
  damageDealt: Type.Number(),
  suggestedMods: Type.Array(Type.Object({ slot: Type.String(), modId: Type.String(), reason: Type.String() })),
  warnings: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })),
});

const RulesetSchema = Type.Object({ version: Type.String(), fingerprint: Type.String() });

export const ReplaySchema = Type.Object({
  simulationId: Uuid,
  seed: Type.Integer(),
  matches: Type.Boolean(),
  differences: Type.Array(Type.String()),
  error: Nullable(Type.String()),
  ruleset: Type.Object({ stored: RulesetSchema, current: RulesetSchema, changed: Type.Boolean() }),
  stored: SimulationSchema,
  replayed: Nullable(SimulationSchema),
});

export const SimulationParams = Type.Object({ simulationId: Uuid });
export const CombatParams = Type.Object({ combatId: Uuid });
export const ProfileParams = Type.Object({ weaponId: ItemName });
export const WeaponParams = Type.Object({ weaponId: Uuid });
export const CharacterQuery = Type.Object({ characterId: Uuid }, { additionalProperties: false });

export const ProfileSchema = Type.Object({
  weaponId: Type.String(),
  weaponClass: Type.String(),
  baseDamage: Type.Number(),
  pellets: Type.Integer(),
  optimalMin: Type.Number(),
  optimalMax: Type.Number(),
  falloffRate: Type.Number(),
  falloffInterval: Type.Number(),
  supportedAmmo: Type.Array(Type.String()),
  supportedMods: Type.Array(Type.String()),
  curvedShotSupport: Type.Boolean(),
  ricochetLimit: Type.Integer(),
});

export const TelemetrySchema = Type.Object({
  combatId: Uuid,
  totalShots: Type.Integer(),
  hits: Type.Integer(),
  curvedShotUsage: Type.Integer(),
  ricochetUsage: Type.Integer(),
  averageDamage: Type.Number(),
  byMode: Type.Array(
    Type.Object({ mode: Type.String(), shots: Type.Integer(), hits: Type.Integer(), averageDamage: Type.Number() }),
  ),
});

export const ModPatchBody = Type.Object(
  {
    strategy: Type.Enum(['merge', 'overwrite']),
    slots: Type.Array(
      Type.Object(
        { slot: ModSlotSchema, modId: Nullable(ItemName), itemId: Type.Optional(Uuid) },
        { additionalProperties: false },
      ),
      { maxItems: 10 },
    ),
  },
  { additionalProperties: false },
);

export const WeaponModsSchema = Type.Object({
  characterId: Uuid,
  weaponId: Uuid,
  templateId: Type.String(),
  weaponClass: Type.String(),
  slots: Type.Array(Type.Object({ slot: Type.String(), modId: Nullable(Type.String()), itemId: Nullable(Uuid) })),
  stats: Type.Object({
    damageMultiplier: Type.Number(),
    hitChanceBonus: Type.Number(),
    ricochetHitBonus: Type.Number(),
    smartAssist: Type.Boolean(),
    damagePerShot: Type.Number(),
  }),
});

export const ActiveSkillsSchema = Type.Object({
  characterId: Uuid,
  skills: Type.Array(
    Type.Object({
      skillId: Type.String(),
      type: Type.String(),
      ability: Nullable(Type.String()),
      unlocked: Type.Boolean(),
      available: Type.Boolean(),
      requires: Type.Object({ skill: Type.String(), level: Type.Integer(), actual: Type.Number() }),
      cooldownSeconds: Type.Number(),
      cooldownEndsAt: Nullable(Timestamp),
      modifiers: Type.Record(Type.String(), Type.Number()),
    }),
  ),
});

const Coordinate = Type.Number({ minimum: -10_000, maximum: 10_000 });
export const CurvedShotBody = Type.Object(
  {
    characterId: Uuid,
    weaponId: Uuid,
    bendAngle: BendAngle,
    targetVector: Type.Optional(
      Type.Object({ x: Coordinate, y: Coordinate, z: Coordinate }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

export const ActivationSchema = Type.Object({
  activationId: Uuid,
  characterId: Uuid,
  weaponId: Uuid,
  bendAngle: Type.Number(),
  energyCost: Type.Number(),
  cooldownSeconds: Type.Number(),
  cooldownEndsAt: Timestamp,
});
