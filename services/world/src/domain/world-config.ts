/**
 * Every number of the living city (shared/DOMAIN.md, World and city unrest) in one place: the rules
 * in domain/ read them from here, never from literals.
 */
import type { District } from '@necp/contracts';

export const Tiers = ['stable', 'tension', 'unrest', 'crisis', 'cataclysm'] as const;
export type Tier = (typeof Tiers)[number];

export const ScenarioKinds = ['street_protest', 'logistics_sabotage', 'neon_riot', 'blackwall_breach'] as const;
export type ScenarioKind = (typeof ScenarioKinds)[number];

export const Weathers = ['clear', 'rain', 'storm'] as const;
export const CrowdDensities = ['low', 'normal', 'high'] as const;
export const FactionControls = ['ncpd', 'corporate', 'gang'] as const;

export const worldConfig = {
  /** Unrest level bounds; every level is clamped into them and kept to this many decimals. */
  level: { min: 0, max: 100, decimals: 2 },
  /** Where each district starts. */
  startingLevels: { watson: 40, westbrook: 55, heywood: 35 } satisfies Record<District, number>,
  /** Each tier from its lower bound (a level belongs to the highest tier whose bound it reaches). */
  tierFloors: { stable: 0, tension: 20, unrest: 40, crisis: 60, cataclysm: 80 } satisfies Record<Tier, number>,
  safeThreshold: 40,
  /** How the detail names a tier's danger. */
  riskLevels: {
    stable: 'low',
    tension: 'moderate',
    unrest: 'elevated',
    crisis: 'high',
    cataclysm: 'critical',
  } satisfies Record<Tier, string>,
  /** The reactions to other services' events. */
  reactions: {
    /** `social.orders.lifecycle` to `completed`, by order type (other types move nothing). */
    orderCompleted: { combat: -4, hacking: 3, logistics: -2, crafting: -1, social: -3 } as Record<string, number>,
    orderDisputed: 2,
    /** Cancelled from one of these statuses ("after accept"). */
    orderCancelledAfterAccept: 1,
    acceptedStatuses: ['accepted'] as readonly string[],
    /** Every `every`-th ballistics event in a district moves it by `delta`. */
    ballistics: { every: 20, delta: 1 },
    /** Every `every`-th completed crafting job in a district moves it by `delta`. */
    crafting: { every: 10, delta: -1 },
  },
  /** Economy's workshops and their districts (shared/DOMAIN.md, Economy): a crafting job names its workshop. */
  workshopDistricts: { street_garage: 'watson', corpo_lab: 'westbrook', bunker_forge: 'heywood' } as Record<
    string,
    District
  >,
  /** After `quietSeconds` (game time) without a change, a district moves `step` toward `target`. */
  drift: { target: 30, step: 1, quietSeconds: 3_600 },
  /** Modifiers multiply a delta; playerPresence (0-100) adds presence / `presenceDivisor` to the factor. */
  modifiers: {
    weather: { clear: 1.0, rain: 0.9, storm: 1.2 },
    crowdDensity: { low: 0.8, normal: 1.0, high: 1.3 },
    factionControl: { ncpd: 0.8, corporate: 1.0, gang: 1.2 },
    presenceDivisor: 100,
    maxPresence: 100,
  },
  /** Changes smaller than this in absolute value are `minor` in `world.unrest.updates`. */
  minorDelta: 2,
  /** Escalation: the dwell (game time) at or above a tier's floor before its scenario starts. */
  escalation: {
    fromTier: 'tension' as Tier,
    dwellSeconds: 600,
    scenarioOfTier: {
      tension: 'street_protest',
      unrest: 'logistics_sabotage',
      crisis: 'neon_riot',
      cataclysm: 'blackwall_breach',
    } as Partial<Record<Tier, ScenarioKind>>,
    /** How much completing a scenario lowers unrest. */
    completionRelief: {
      street_protest: 10,
      logistics_sabotage: 10,
      neon_riot: 10,
      blackwall_breach: 15,
    } satisfies Record<ScenarioKind, number>,
  },
  /** One action per tier to bring unrest down; urgency = level / `urgencyDivisor`. */
  recommendations: {
    tension: 'increase_patrols',
    unrest: 'deploy_relief_convoy',
    crisis: 'establish_checkpoints',
    cataclysm: 'evacuate_civilians',
  } as Partial<Record<Tier, string>>,
  urgencyDivisor: 100,
  /** Market stress (applied by economy from `world.unrest.updates`): crafting durations in these tiers. */
  marketStress: { tiers: ['crisis', 'cataclysm'] as readonly Tier[], durationMultiplier: 1.1 },
  /** The forecast: a least-squares line over the last `points` history entries, `horizonSeconds` ahead. */
  forecast: { points: 30, horizonSeconds: 3_600, stableSlopePerHour: 0.5 },
  /** The detail's influence sources: the top `top` sources of the last `windowSeconds`. */
  influence: { windowSeconds: 3_600, top: 5 },
} as const;

export type WorldConfig = typeof worldConfig;
