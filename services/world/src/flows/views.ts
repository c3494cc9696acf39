/** How world's rows look in its answers. */
import type { HistoryRow } from '../store/history.ts';
import type { ScenarioRow } from '../store/scenarios.ts';

export function historyView(row: HistoryRow) {
  return {
    impactId: row.id,
    districtId: row.district_id,
    at: row.at.toISOString(),
    delta: row.delta,
    requestedDelta: row.requested_delta,
    multiplier: row.multiplier,
    sourceType: row.source_type,
    sourceId: row.source_id,
    actorId: row.actor_id,
    levelAfter: row.level_after,
  };
}

export function scenarioView(row: ScenarioRow) {
  return {
    scenarioId: row.id,
    districtId: row.district_id,
    kind: row.kind,
    status: row.status,
    origin: row.origin,
    startedAt: row.started_at.toISOString(),
    startedBy: row.started_by,
    endedAt: row.ended_at?.toISOString() ?? null,
    endedBy: row.ended_by,
  };
}
