import { authOf, type HttpApp, IdempotencyHeaders, idempotencyOf, problems, sendResult, Uuid } from '@necp/platform';
import { Type } from 'typebox';
import { acceptApplication, applicationsOf, submitApplication, withdrawApplication } from '../flows/applications.ts';
import type { SocialDeps } from '../flows/deps.ts';
import { ApplicationSchema, ApplyBody, CommandProblems, OrderSchema } from './schemas.ts';

const orderParams = Type.Object({ orderId: Uuid });
const params = Type.Object({ orderId: Uuid, applicationId: Uuid });

/** Under `/api/v1/social/orders/{orderId}/applications`. */
export function applicationRoutes(app: HttpApp, deps: SocialDeps): void {
  app.post(
    '',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Apply to a published order as one of your characters',
        params: orderParams,
        headers: IdempotencyHeaders,
        body: ApplyBody,
        response: { 201: ApplicationSchema, ...problems(...CommandProblems) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const idempotency = idempotencyOf(request, 'social', caller.accountId);
      return sendResult(
        reply,
        await submitApplication(deps, caller, request.params.orderId, request.body, idempotency),
      );
    },
  );

  app.get(
    '',
    {
      config: { access: 'caller' },
      schema: {
        summary: "The order's applications: all for the customer, your own for an applicant",
        params: orderParams,
        response: { 200: Type.Object({ items: Type.Array(ApplicationSchema) }), ...problems(404, 502, 503) },
      },
    },
    async (request) => applicationsOf(deps, authOf(request), request.params.orderId),
  );

  app.post(
    '/:applicationId/withdraw',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Withdraw your application',
        params,
        headers: IdempotencyHeaders,
        response: { 200: ApplicationSchema, ...problems(...CommandProblems) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const { orderId, applicationId } = request.params;
      const idempotency = idempotencyOf(request, 'social', caller.accountId);
      return sendResult(reply, await withdrawApplication(deps, caller, orderId, applicationId, idempotency));
    },
  );

  app.post(
    '/:applicationId/accept',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Customer: accept an application; every other one is rejected',
        params,
        headers: IdempotencyHeaders,
        response: { 200: OrderSchema, ...problems(...CommandProblems) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const { orderId, applicationId } = request.params;
      const idempotency = idempotencyOf(request, 'social', caller.accountId);
      return sendResult(reply, await acceptApplication(deps, caller, orderId, applicationId, idempotency));
    },
  );
}
