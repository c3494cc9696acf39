import {
  authOf,
  type HttpApp,
  IdempotencyHeaders,
  idempotencyOf,
  pageLimit,
  pageQuery,
  pageSchema,
  problems,
  sendResult,
  Uuid,
} from '@necp/platform';
import { Type } from 'typebox';
import { worldOperators } from '../domain/roles.ts';
import type { WorldDeps } from '../flows/deps.ts';
import { endScenarioByHand, listScenarios, startScenarioByHand } from '../flows/scenarios.ts';
import { DistrictId, Scenario, ScenarioKindSchema, ScenarioStatusSchema } from './schemas.ts';

const params = Type.Object({ scenarioId: Uuid });

/** Under `/api/v1/world/scenarios`: the list (any caller); start, complete and cancel (live ops). */
export function scenarioRoutes(app: HttpApp, deps: WorldDeps): void {
  app.get(
    '',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Escalation scenarios, newest first',
        querystring: pageQuery({
          districtId: Type.Optional(DistrictId),
          status: Type.Optional(ScenarioStatusSchema),
        }),
        response: { 200: pageSchema(Scenario), ...problems(400) },
      },
    },
    async (request) =>
      listScenarios(
        deps.db,
        { districtId: request.query.districtId, status: request.query.status },
        pageLimit(request.query),
        request.query.cursor,
      ),
  );

  app.post(
    '',
    {
      config: { access: { roles: worldOperators } },
      schema: {
        summary: "Start a scenario by hand (live ops): `kind`, or the district's tier's (409 if one is active)",
        headers: IdempotencyHeaders,
        body: Type.Object(
          { districtId: DistrictId, kind: Type.Optional(ScenarioKindSchema) },
          { additionalProperties: false },
        ),
        response: { 201: Scenario, ...problems(400, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const idempotency = idempotencyOf(request, 'world', caller.accountId);
      return sendResult(reply, await startScenarioByHand(deps, caller, request.body, idempotency));
    },
  );

  for (const [action, status] of [
    ['complete', 'completed'],
    ['cancel', 'cancelled'],
  ] as const) {
    app.post(
      `/:scenarioId/${action}`,
      {
        config: { access: { roles: worldOperators } },
        schema: {
          summary:
            status === 'completed'
              ? "Complete an active scenario: its district's unrest falls by 10 (15 for blackwall_breach)"
              : 'Cancel an active scenario (live ops); unrest stays',
          params,
          headers: IdempotencyHeaders,
          response: { 200: Scenario, ...problems(400, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const caller = authOf(request);
        const idempotency = idempotencyOf(request, 'world', caller.accountId);
        return sendResult(reply, await endScenarioByHand(deps, caller, request.params.scenarioId, status, idempotency));
      },
    );
  }
}
