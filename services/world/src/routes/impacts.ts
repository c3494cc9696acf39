import { randomUUID } from 'node:crypto';
import { authOf, type HttpApp, IdempotencyHeaders, idempotencyOf, problems, sendResult, Uuid } from '@necp/platform';
import { Type } from 'typebox';
import { worldOperators } from '../domain/roles.ts';
import type { WorldDeps } from '../flows/deps.ts';
import { applyImpact, impactsOf, recommendations, simulateImpact } from '../flows/impacts.ts';
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

  const Impacts = Type.Object({ items: Type.Array(HistoryEntry) });
  app.get(
    '/orders/:orderId',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'The unrest changes an order caused',
        params: Type.Object({ orderId: Uuid }),
        response: { 200: Impacts, ...problems(400) },
      },
    },
    async (request) => impactsOf(deps.db, 'order', request.params.orderId),
  );

  app.get(
    '/combat/:combatId',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'The unrest changes a combat caused',
        params: Type.Object({ combatId: Uuid }),
        response: { 200: Impacts, ...problems(400) },
      },
    },
    async (request) => impactsOf(deps.db, 'combat', request.params.combatId),
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
