/**
 * Impacts: what a delta would do to a district (simulate, changing nothing) and doing it (apply,
 * live ops), and what to do about the city's unrest.
 */
import type { AuthContext, IdempotencyRequest, IdempotentResult } from '@necp/platform';
import { runIdempotentCommand } from '@necp/platform';
import { forecastOf } from '../domain/forecast.ts';
import {
  changeLevel,
  effectsOf,
  type LevelChange,
  type Modifiers,
  multiplierOf,
  recommendationsFor,
  roundLevel,
  tierOf,
} from '../domain/unrest.ts';
import { worldConfig } from '../domain/world-config.ts';
import { districtsWithScenario } from '../store/districts.ts';
import type { Reader, WorldTables } from '../store/tables.ts';
import type { WorldDeps } from './deps.ts';
import { findDistrict, forecastPoints } from './districts.ts';
import { applyChanges } from './unrest-changes.ts';

export type ImpactSource = 'order' | 'combat' | 'crafting' | 'manual';

export interface ImpactRequest {
  sourceType: ImpactSource;
  sourceId: string;
  districtId: string;
  deltaUnrest: number;
  modifiers?: Modifiers | undefined;
}

/** The answer to simulate and apply: the change, its trend, effects and what to do. */
async function impactView(
  db: Reader,
  deps: WorldDeps,
  request: ImpactRequest,
  outcome: { impactId: string; change: LevelChange; multiplier: number; applied: boolean; now: Date },
) {
  const district = await findDistrict(db, request.districtId);
  const points = await forecastPoints(db, request.districtId, worldConfig.forecast.points);
  // A simulated change is one more point at `now`; an applied one is in the history already.
  const withChange = outcome.applied ? points : [{ at: outcome.now, level: outcome.change.newLevel }, ...points];
  const forecast = forecastOf(withChange, outcome.change.newLevel, outcome.now);
  return {
    impactId: outcome.impactId,
    districtId: request.districtId,
    sourceType: request.sourceType,
    sourceId: request.sourceId,
    previousLevel: outcome.change.previousLevel,
    newUnrestLevel: outcome.change.newLevel,
    delta: outcome.change.delta,
    multiplier: outcome.multiplier,
    newTier: tierOf(outcome.change.newLevel),
    projectedTrend: forecast.trend,
    effects: effectsOf(outcome.change, {
      // With a scenario running, the new tier starts none: no escalation risk to announce.
      scenarioActive: district.scenario_id !== null,
      timeScale: deps.timeScale,
    }),
    recommendations: recommendationsFor(outcome.change.newLevel),
    applied: outcome.applied,
  };
}

export async function simulateImpact(deps: WorldDeps, request: ImpactRequest, impactId: string, now = new Date()) {
  const district = await findDistrict(deps.db, request.districtId);
  const multiplier = multiplierOf(request.modifiers);
  const change = changeLevel(district.level, roundLevel(request.deltaUnrest * multiplier));
  return impactView(deps.db, deps, request, { impactId, change, multiplier, applied: false, now });
}

/** Applies an impact (live ops): persisted, announced, and answered as simulate would, with `applied: true`. */
export async function applyImpact(
  deps: WorldDeps,
  caller: AuthContext,
  request: ImpactRequest,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  await findDistrict(deps.db, request.districtId);
  return runIdempotentCommand<WorldTables>(deps.database, idempotency, async (trx) => {
    const now = new Date();
    const multiplier = multiplierOf(request.modifiers);
    const [applied] = await applyChanges(
      trx,
      [
        {
          districtId: request.districtId,
          requestedDelta: request.deltaUnrest,
          multiplier,
          sourceType: request.sourceType,
          sourceId: request.sourceId,
          actorId: caller.accountId,
        },
      ],
      now,
    );
    if (!applied) throw new Error(`district ${request.districtId} vanished during the impact`);
    return {
      status: 201,
      body: await impactView(trx, deps, request, {
        impactId: applied.impactId,
        change: applied,
        multiplier,
        applied: true,
        now,
      }),
    };
  });
}

/** What to do about unrest, most urgent first: one district's, or the whole city's. */
export async function recommendations(db: Reader, districtId: string | undefined) {
  const districts = districtId === undefined ? await districtsWithScenario(db) : [await findDistrict(db, districtId)];
  const items = districts
    .flatMap((district) =>
      recommendationsFor(district.level).map((recommendation) => ({
        districtId: district.id,
        level: district.level,
        ...recommendation,
      })),
    )
    .sort((a, b) => b.urgency - a.urgency || a.districtId.localeCompare(b.districtId));
  return { items };
}
