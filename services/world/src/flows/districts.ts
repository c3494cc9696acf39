/** Reading the city: the districts, one district's unrest in detail, its history. */
import { AppError } from '@necp/platform';
import { forecastOf } from '../domain/forecast.ts';
import { riskOf, tierOf } from '../domain/unrest.ts';
import { worldConfig } from '../domain/world-config.ts';
import { districtsWithScenario } from '../store/districts.ts';
import { type HistoryFilter, historyPage, influenceSources, recentLevels } from '../store/history.ts';
import type { Reader } from '../store/tables.ts';
import { historyView } from './views.ts';

type DistrictRow = Awaited<ReturnType<typeof districtsWithScenario>>[number];

function activeScenarioOf(row: DistrictRow) {
  return row.scenario_id && row.scenario_kind && row.scenario_started_at
    ? { scenarioId: row.scenario_id, kind: row.scenario_kind, startedAt: row.scenario_started_at.toISOString() }
    : null;
}

export async function listDistricts(db: Reader) {
  const rows = await districtsWithScenario(db);
  return {
    items: rows.map((row) => ({
      districtId: row.id,
      unrestLevel: row.level,
      tier: tierOf(row.level),
      activeScenario: activeScenarioOf(row),
    })),
  };
}

export async function findDistrict(db: Reader, districtId: string): Promise<DistrictRow> {
  const [row] = await districtsWithScenario(db, districtId);
  if (!row) throw new AppError('NOT_FOUND', `No district ${districtId}`);
  return row;
}

/** The last levels of a district as forecast points (newest first from the store). */
export async function forecastPoints(db: Reader, districtId: string, count: number) {
  return (await recentLevels(db, districtId, count)).map((row) => ({ at: row.at, level: row.level_after }));
}

export async function unrestDetail(db: Reader, districtId: string, now: Date) {
  const row = await findDistrict(db, districtId);
  const tier = tierOf(row.level);
  const since = new Date(now.getTime() - worldConfig.influence.windowSeconds * 1_000);
  const [sources, points] = await Promise.all([
    influenceSources(db, districtId, since, worldConfig.influence.top),
    forecastPoints(db, districtId, worldConfig.forecast.points),
  ]);
  const active = activeScenarioOf(row);
  return {
    districtId,
    currentLevel: row.level,
    tier,
    safeThreshold: worldConfig.safeThreshold,
    riskLevel: riskOf(tier),
    activeEvents: active ? [{ ...active, type: 'scenario' as const }] : [],
    influenceSources: sources.map((source) => ({
      sourceType: source.source_type,
      sourceId: source.source_id,
      totalDelta: Number(source.total_delta),
      impacts: Number(source.impacts),
    })),
    lastUpdated: row.changed_at.toISOString(),
    forecast: forecastOf(points, row.level, now),
  };
}

/** History entries (a district's, or a source's), newest first, a page at a time. */
export async function historyOf(db: Reader, filter: HistoryFilter, limit: number, cursor: string | undefined) {
  if ('districtId' in filter) await findDistrict(db, filter.districtId);
  const page = await historyPage(db, filter, limit, cursor);
  return { items: page.items.map(historyView), nextCursor: page.nextCursor };
}
