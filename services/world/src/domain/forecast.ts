/** The unrest forecast: a least-squares line through recent history, projected ahead. Pure. */
import { clampLevel, roundLevel, tierOf } from './unrest.ts';
import { type Tier, type WorldConfig, worldConfig } from './world-config.ts';

export interface HistoryPoint {
  at: Date;
  level: number;
}

export type Trend = 'rising' | 'falling' | 'stable';

export interface Forecast {
  method: 'least_squares';
  /** History points the line was fitted to (the last 30 at most). */
  points: number;
  slopePerHour: number;
  horizonSeconds: number;
  at: string;
  projectedLevel: number;
  projectedTier: Tier;
  trend: Trend;
}

const HOUR_MS = 3_600_000;

/** Slope (per hour) and the line's value at `x` hours, over points given as hours since some origin. */
function fitLine(xs: number[], ys: number[]): { slope: number; valueAt(x: number): number } | undefined {
  const n = xs.length;
  if (n < 2) return undefined;
  const meanX = xs.reduce((sum, x) => sum + x, 0) / n;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - meanX;
    covariance += dx * ((ys[i] as number) - meanY);
    variance += dx * dx;
  }
  if (variance === 0) return undefined;
  const slope = covariance / variance;
  return { slope, valueAt: (x) => meanY + slope * (x - meanX) };
}

export function trendOf(slopePerHour: number, config: WorldConfig = worldConfig): Trend {
  if (slopePerHour > config.forecast.stableSlopePerHour) return 'rising';
  if (slopePerHour < -config.forecast.stableSlopePerHour) return 'falling';
  return 'stable';
}

/**
 * The level one horizon after `now`, on the least-squares line through the last points of
 * `history` (any order); with fewer than two distinct times there is no line and the level holds.
 */
export function forecastOf(
  history: HistoryPoint[],
  currentLevel: number,
  now: Date,
  config: WorldConfig = worldConfig,
): Forecast {
  const recent = [...history].sort((a, b) => a.at.getTime() - b.at.getTime()).slice(-config.forecast.points);
  const origin = now.getTime();
  const line = fitLine(
    recent.map((point) => (point.at.getTime() - origin) / HOUR_MS),
    recent.map((point) => point.level),
  );
  const horizonHours = config.forecast.horizonSeconds / 3_600;
  const slopePerHour = roundLevel(line?.slope ?? 0, config);
  const projectedLevel = clampLevel(line ? line.valueAt(horizonHours) : currentLevel, config);
  return {
    method: 'least_squares',
    points: recent.length,
    slopePerHour,
    horizonSeconds: config.forecast.horizonSeconds,
    at: new Date(origin + config.forecast.horizonSeconds * 1_000).toISOString(),
    projectedLevel,
    projectedTier: tierOf(projectedLevel, config),
    trend: trendOf(slopePerHour, config),
  };
}
