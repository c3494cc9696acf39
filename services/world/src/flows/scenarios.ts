/**
 * Escalation scenarios: started by the escalation schedule after a district's dwell, or by an
 * operator; completed by an operator (unrest falls by the scenario's relief) or cancelled. At most
 * one is active per district: the partial unique index decides every race.
 */

import { randomUUID } from 'node:crypto';
import type { AuthContext, IdempotencyRequest, IdempotentResult } from '@necp/platform';
import { AppError, runIdempotentCommand } from '@necp/platform';
import { scenarioOf, tierOf } from '../domain/unrest.ts';
import { type ScenarioKind, worldConfig } from '../domain/world-config.ts';
import { publishScenario } from '../events.ts';
import { restartDwell } from '../store/dwell.ts';
import { endScenario, insertScenario, lockScenario, type ScenarioRow, scenariosPage } from '../store/scenarios.ts';
import type { Reader, ScenarioStatus, Trx, WorldTables } from '../store/tables.ts';
import type { WorldDeps } from './deps.ts';
import { findDistrict } from './districts.ts';
import { applyChanges } from './unrest-changes.ts';
import { scenarioView } from './views.ts';

/** Starts `kind` in the district unless one is active there; announces it. Undefined when one was active. */
export async function startScenario(
  trx: Trx,
  districtId: string,
  kind: ScenarioKind,
  origin: ScenarioRow['origin'],
  by: string | null,
  at: Date,
): Promise<ScenarioRow | undefined> {
  const started = await insertScenario(trx, {
    id: randomUUID(),
    district_id: districtId,
    kind,
    origin,
    started_at: at,
    started_by: by,
  });
  if (started) await publishScenario(trx, started, 'started');
  return started;
}

export async function listScenarios(
  db: Reader,
  filters: { districtId?: string | undefined; status?: ScenarioStatus | undefined },
  limit: number,
  cursor: string | undefined,
) {
  const page = await scenariosPage(db, filters, limit, cursor);
  return { items: page.items.map(scenarioView), nextCursor: page.nextCursor };
}

/** An operator starts a scenario by hand: `kind`, or the one of the district's tier. */
export async function startScenarioByHand(
  deps: WorldDeps,
  caller: AuthContext,
  request: { districtId: string; kind?: ScenarioKind | undefined },
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  const district = await findDistrict(deps.db, request.districtId);
  const kind = request.kind ?? scenarioOf(tierOf(district.level));
  if (kind === undefined) {
    throw new AppError('INVALID_STATE', `${request.districtId} is stable: name the scenario's kind to start one`);
  }
  return runIdempotentCommand<WorldTables>(deps.database, idempotency, async (trx) => {
    const started = await startScenario(trx, request.districtId, kind, 'operator', caller.accountId, new Date());
    if (!started) throw new AppError('CONFLICT', `${request.districtId} already has an active scenario`);
    return { status: 201, body: scenarioView(started) };
  });
}

/** Ends an active scenario; completing it lowers its district's unrest by the scenario's relief. */
export function endScenarioByHand(
  deps: WorldDeps,
  caller: AuthContext,
  scenarioId: string,
  status: 'completed' | 'cancelled',
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  return runIdempotentCommand<WorldTables>(deps.database, idempotency, async (trx) => {
    const scenario = await lockScenario(trx, scenarioId);
    if (!scenario) throw new AppError('NOT_FOUND', `No scenario ${scenarioId}`);
    if (scenario.status !== 'active') throw new AppError('INVALID_STATE', `The scenario is ${scenario.status}`);
    const now = new Date();
    const ended = await endScenario(trx, scenarioId, status, now, caller.accountId);
    if (status === 'completed') {
      const relief = worldConfig.escalation.completionRelief[scenario.kind as ScenarioKind] ?? 0;
      await applyChanges(
        trx,
        [
          {
            districtId: scenario.district_id,
            requestedDelta: -relief,
            multiplier: 1,
            sourceType: 'scenario',
            sourceId: scenarioId,
            actorId: caller.accountId,
          },
        ],
        now,
      );
    }
    // The next scenario of the district needs a dwell of its own, counted from now.
    await restartDwell(trx, scenario.district_id, now);
    await publishScenario(trx, ended, status);
    return { status: 200, body: scenarioView(ended) };
  });
}
