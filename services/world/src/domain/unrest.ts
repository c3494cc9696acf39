/** The unrest rules: levels, tiers, modifiers, drift, recommendations and effects. Pure. */
import {
  type CrowdDensities,
  type FactionControls,
  type ScenarioKind,
  type Tier,
  Tiers,
  type Weathers,
  type WorldConfig,
  worldConfig,
} from './world-config.ts';

export interface Modifiers {
  weather?: (typeof Weathers)[number] | undefined;
  crowdDensity?: (typeof CrowdDensities)[number] | undefined;
  factionControl?: (typeof FactionControls)[number] | undefined;
  playerPresence?: number | undefined;
}

/** Rounded to the configured decimals, so that sums of fractional deltas stay exact in storage. */
export function roundLevel(value: number, config: WorldConfig = worldConfig): number {
  const scale = 10 ** config.level.decimals;
  return Math.round(value * scale) / scale;
}

export function clampLevel(value: number, config: WorldConfig = worldConfig): number {
  return roundLevel(Math.min(config.level.max, Math.max(config.level.min, value)), config);
}

export function tierOf(level: number, config: WorldConfig = worldConfig): Tier {
  let tier: Tier = 'stable';
  for (const candidate of Tiers) if (level >= config.tierFloors[candidate]) tier = candidate;
  return tier;
}

/** Tiers from lowest to highest, as a rank to compare by. */
export function tierRank(tier: Tier): number {
  return Tiers.indexOf(tier);
}

export function riskOf(tier: Tier, config: WorldConfig = worldConfig): string {
  return config.riskLevels[tier];
}

/** The factor the modifiers put on a delta: weather × crowd × faction × (1 + presence / 100). */
export function multiplierOf(modifiers: Modifiers | undefined, config: WorldConfig = worldConfig): number {
  const table = config.modifiers;
  const weather = table.weather[modifiers?.weather ?? 'clear'];
  const crowd = table.crowdDensity[modifiers?.crowdDensity ?? 'normal'];
  const faction = table.factionControl[modifiers?.factionControl ?? 'corporate'];
  const presence = Math.min(table.maxPresence, Math.max(0, modifiers?.playerPresence ?? 0));
  return weather * crowd * faction * (1 + presence / table.presenceDivisor);
}

export interface LevelChange {
  previousLevel: number;
  newLevel: number;
  /** What actually moved: after clamping, so 0 at a bound pushed further. */
  delta: number;
  clamped: boolean;
}

/** The level after a delta, clamped to 0-100. */
export function changeLevel(previousLevel: number, delta: number, config: WorldConfig = worldConfig): LevelChange {
  const unclamped = roundLevel(previousLevel + delta, config);
  const newLevel = clampLevel(unclamped, config);
  return {
    previousLevel,
    newLevel,
    delta: roundLevel(newLevel - previousLevel, config),
    clamped: newLevel !== unclamped,
  };
}

export function isMinor(delta: number, config: WorldConfig = worldConfig): boolean {
  return Math.abs(delta) < config.minorDelta;
}

/** The drift step of a quiet district toward the target; 0 when it is there. */
export function driftDelta(level: number, config: WorldConfig = worldConfig): number {
  const { target, step } = config.drift;
  return roundLevel(Math.sign(target - level) * Math.min(step, Math.abs(target - level)), config);
}

export interface Recommendation {
  action: string;
  tier: Tier;
  urgency: number;
}

/** What to do about a district at `level`: its tier's action (none when stable). */
export function recommendationsFor(level: number, config: WorldConfig = worldConfig): Recommendation[] {
  const tier = tierOf(level, config);
  const action = config.recommendations[tier];
  return action ? [{ action, tier, urgency: roundLevel(level / config.urgencyDivisor, config) }] : [];
}

/** The scenario a district dwelling at `tier` starts, if that tier escalates. */
export function scenarioOf(tier: Tier, config: WorldConfig = worldConfig): ScenarioKind | undefined {
  return tierRank(tier) >= tierRank(config.escalation.fromTier) ? config.escalation.scenarioOfTier[tier] : undefined;
}

/** The tiers whose dwell clocks run for a district at `tier`: escalating tiers up to it. */
export function dwellTiers(tier: Tier, config: WorldConfig = worldConfig): Tier[] {
  return Tiers.filter((candidate) => tierRank(candidate) <= tierRank(tier) && scenarioOf(candidate, config));
}

export type Effect =
  | { code: 'tier_changed'; from: Tier; to: Tier }
  | { code: 'clamped'; bound: number }
  | { code: 'market_stress'; craftingDurationMultiplier: number }
  | { code: 'escalation_risk'; scenario: ScenarioKind; dwellSeconds: number };

/**
 * What a change leads to: a tier change, a bound reached, market stress (crafting in the district
 * takes longer) and, with no scenario running, the scenario the new tier starts after its dwell.
 */
export function effectsOf(
  change: LevelChange,
  context: { scenarioActive: boolean; timeScale: number },
  config: WorldConfig = worldConfig,
): Effect[] {
  const from = tierOf(change.previousLevel, config);
  const to = tierOf(change.newLevel, config);
  const effects: Effect[] = [];
  if (from !== to) effects.push({ code: 'tier_changed', from, to });
  if (change.clamped) effects.push({ code: 'clamped', bound: change.newLevel });
  if (config.marketStress.tiers.includes(to)) {
    effects.push({ code: 'market_stress', craftingDurationMultiplier: config.marketStress.durationMultiplier });
  }
  const scenario = scenarioOf(to, config);
  if (scenario && !context.scenarioActive) {
    effects.push({ code: 'escalation_risk', scenario, dwellSeconds: dwellSecondsOf(context.timeScale, config) });
  }
  return effects;
}

/** The escalation dwell in wall seconds: game time divided by TIME_SCALE. */
export function dwellSecondsOf(timeScale: number, config: WorldConfig = worldConfig): number {
  return config.escalation.dwellSeconds / timeScale;
}

/** How long (wall milliseconds) a district stays quiet before it drifts. */
export function quietMsOf(timeScale: number, config: WorldConfig = worldConfig): number {
  return (config.drift.quietSeconds * 1_000) / timeScale;
}
