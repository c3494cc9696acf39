import { Uuid } from '@necp/platform';
import { type TSchema, Type } from 'typebox';
import {
  CrowdDensities,
  FactionControls,
  ScenarioKinds,
  Tiers,
  Weathers,
  worldConfig,
} from '../domain/world-config.ts';

/** World's own route schemas; the shared ones (Uuid, problems, paging, ...) are the platform's. */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

/** A district's name (`watson`); one world does not keep is 404. */
export const DistrictId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_]*$' });
export const DistrictParams = Type.Object({ districtId: DistrictId });
export const TierSchema = Type.Enum([...Tiers]);
export const ScenarioKindSchema = Type.Enum([...ScenarioKinds]);
const Level = Type.Number({ minimum: worldConfig.level.min, maximum: worldConfig.level.max });

const ActiveScenario = Type.Object({ scenarioId: Uuid, kind: Type.String(), startedAt: Timestamp });

export const DistrictList = Type.Object({
  items: Type.Array(
    Type.Object({
      districtId: Type.String(),
      unrestLevel: Level,
      tier: TierSchema,
      activeScenario: Nullable(ActiveScenario),
    }),
  ),
});

export const HistoryEntry = Type.Object({
  impactId: Uuid,
  districtId: Type.String(),
  at: Timestamp,
  delta: Type.Number(),
  requestedDelta: Type.Number(),
  multiplier: Type.Number(),
  sourceType: Type.String(),
  sourceId: Type.String(),
  actorId: Nullable(Type.String()),
  levelAfter: Level,
});

const Forecast = Type.Object({
  method: Type.Literal('least_squares'),
  points: Type.Integer(),
  slopePerHour: Type.Number(),
  horizonSeconds: Type.Integer(),
  at: Timestamp,
  projectedLevel: Level,
  projectedTier: TierSchema,
  trend: Type.Enum(['rising', 'falling', 'stable']),
});

export const UnrestDetail = Type.Object({
  districtId: Type.String(),
  currentLevel: Level,
  tier: TierSchema,
  safeThreshold: Type.Number(),
  riskLevel: Type.String(),
  activeEvents: Type.Array(Type.Object({ ...ActiveScenario.properties, type: Type.Literal('scenario') })),
  influenceSources: Type.Array(
    Type.Object({
      sourceType: Type.String(),
      sourceId: Type.String(),
      totalDelta: Type.Number(),
      impacts: Type.Integer(),
    }),
  ),
  lastUpdated: Timestamp,
  forecast: Forecast,
});

export const ImpactBody = Type.Object(
  {
    sourceType: Type.Enum(['order', 'combat', 'crafting', 'manual']),
    sourceId: Type.String({ minLength: 1, maxLength: 128 }),
    districtId: DistrictId,
    deltaUnrest: Type.Number({ minimum: -worldConfig.level.max, maximum: worldConfig.level.max }),
    modifiers: Type.Optional(
      Type.Object(
        {
          weather: Type.Optional(Type.Enum([...Weathers])),
          crowdDensity: Type.Optional(Type.Enum([...CrowdDensities])),
          factionControl: Type.Optional(Type.Enum([...FactionControls])),
          playerPresence: Type.Optional(Type.Integer({ minimum: 0, maximum: worldConfig.modifiers.maxPresence })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const Recommendation = Type.Object({
  action: Type.String(),
  tier: TierSchema,
  urgency: Type.Number(),
});

const Effect = Type.Object({
  code: Type.Enum(['tier_changed', 'clamped', 'market_stress', 'escalation_risk']),
  from: Type.Optional(TierSchema),
  to: Type.Optional(TierSchema),
  bound: Type.Optional(Type.Number()),
  craftingDurationMultiplier: Type.Optional(Type.Number()),
  scenario: Type.Optional(Type.String()),
  dwellSeconds: Type.Optional(Type.Number()),
});

export const ImpactResult = Type.Object({
  impactId: Uuid,
  districtId: Type.String(),
  sourceType: Type.String(),
  sourceId: Type.String(),
  previousLevel: Level,
  newUnrestLevel: Level,
  delta: Type.Number(),
  multiplier: Type.Number(),
  newTier: TierSchema,
  projectedTrend: Type.Enum(['rising', 'falling', 'stable']),
  effects: Type.Array(Effect),
  recommendations: Type.Array(Recommendation),
  applied: Type.Boolean(),
});

export const ScenarioStatusSchema = Type.Enum(['active', 'completed', 'cancelled']);

export const Scenario = Type.Object({
  scenarioId: Uuid,
  districtId: Type.String(),
  kind: Type.String(),
  status: ScenarioStatusSchema,
  origin: Type.Enum(['escalation', 'operator']),
  startedAt: Timestamp,
  startedBy: Nullable(Type.String()),
  endedAt: Nullable(Timestamp),
  endedBy: Nullable(Type.String()),
});
