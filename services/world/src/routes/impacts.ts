import { randomUUID } from 'node:crypto';
import {
  authOf,
  type HttpApp,
  IdempotencyHeaders,
  idempotencyOf,
  PageQuery,
  pageLimit,
  pageSchema,
  problems,
  sendResult,
  Uuid,
} from '@necp/platform';
import { type TSchema, Type } from 'typebox';
import { worldOperators } from '../domain/roles.ts';
import type { WorldDeps } from '../flows/deps.ts';
import { historyOf } from '../flows/districts.ts';
import { applyImpact, recommendations, simulateImpact } from '../flows/impacts.ts';
import { DistrictId, HistoryEntry, ImpactBody, ImpactResult, Recommendation } from './schemas.ts';

/** Under `/api/v1/world/impact`: simulate (anyone), apply (live ops), impacts by source, recommendations. */
export function impactRoutes(app: HttpApp, deps: WorldDeps): void {
  app.post(
    '/simulate',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'What an impact would do to a district; changes nothing',
        body: ImpactBody,
        response: { 200: ImpactResult, ...problems(400, 404) },
      },
    },
    async (request) => simulateImpact(deps, request.body, randomUUID()),
  );

  app.post(
    '/apply',
    {
      config: { access: { roles: worldOperators } },
      schema: {
        summary: 'Apply an impact to a district (world.operator or admin; idempotent with Idempotency-Key)',
        headers: IdempotencyHeaders,
        body: ImpactBody,
        response: { 201: ImpactResult, ...problems(400, 404, 422) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const idempotency = idempotencyOf(request, 'world', caller.accountId);
      return sendResult(reply, await applyImpact(deps, caller, request.body, idempotency));
    },
  );

  const bySource = <P extends TSchema>(what: string, params: P) => ({
    config: { access: 'caller' as const },
    schema: {
      summary: `The unrest changes ${what} caused, newest first`,
      params,
      querystring: PageQuery,
      response: { 200: pageSchema(HistoryEntry), ...problems(400) },
    },
  });
  app.get('/orders/:orderId', bySource('an order', Type.Object({ orderId: Uuid })), async (request) =>
    historyOf(
      deps.db,
      { sourceType: 'order', sourceId: request.params.orderId },
      pageLimit(request.query),
      request.query.cursor,
    ),
  );
  app.get('/combat/:combatId', bySource('a combat', Type.Object({ combatId: Uuid })), async (request) =>
    historyOf(
      deps.db,
      { sourceType: 'combat', sourceId: request.params.combatId },
      pageLimit(request.query),
      request.query.cursor,
    ),
  );

  app.get(
    '/recommendations',
    {
      config: { access: 'caller' },
      schema: {
        summary: "Actions to bring unrest down, most urgent first: one district's, or every district's",
        querystring: Type.Object({ districtId: Type.Optional(DistrictId) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ districtId: Type.String(), level: Type.Number(), ...Recommendation.properties }),
            ),
          }),
          ...problems(400, 404),
        },
      },
    },
    async (request) => recommendations(deps.db, request.query.districtId),
  );
}
