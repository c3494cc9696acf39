import {
  authOf,
  type HttpApp,
  IdempotencyHeaders,
  idempotencyOf,
  pageQuery,
  pageSchema,
  problems,
  sendResult,
  Uuid,
} from '@necp/platform';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { SocialDeps } from '../flows/deps.ts';
import { disputeOrder, resolveOrder } from '../flows/disputes.ts';
import { Arbiters } from '../flows/order-access.ts';
import { cancelOrder, completeOrder, createOrder, deliverOrder, publishOrder, startOrder } from '../flows/orders.ts';
import { orderDetail, ordersFor, orderTimeline } from '../flows/orders-read.ts';
import { reviewOrder } from '../flows/reviews.ts';
import {
  AsCharacter,
  CommandProblems,
  CreateOrderBody,
  DeliverBody,
  DisputeBody,
  DistrictId,
  OrderDetailSchema,
  OrderSchema,
  OrderStatusSchema,
  OrderTypeSchema,
  ResolveBody,
  ReviewBody,
  ReviewSchema,
  TimelineSchema,
} from './schemas.ts';

const params = Type.Object({ orderId: Uuid });
const idempotencyFor = (request: FastifyRequest) => idempotencyOf(request, 'social', authOf(request).accountId);

/** Under `/api/v1/social/orders`: the order's life from draft to its end, each step by its role. */
export function orderRoutes(app: HttpApp, deps: SocialDeps): void {
  app.post(
    '',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Create an order (a draft) as one of your characters',
        headers: IdempotencyHeaders,
        body: CreateOrderBody,
        response: { 201: OrderSchema, ...problems(404, 422, 502, 503) },
      },
    },
    async (request, reply) =>
      sendResult(reply, await createOrder(deps, authOf(request), request.body, idempotencyFor(request))),
  );

  app.get(
    '',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Orders you may see, newest first (characterId: look as that character of yours)',
        querystring: pageQuery({
          status: Type.Optional(OrderStatusSchema),
          orderType: Type.Optional(OrderTypeSchema),
          districtId: Type.Optional(DistrictId),
          customerCharacterId: Type.Optional(Uuid),
          executorCharacterId: Type.Optional(Uuid),
          ...AsCharacter,
        }),
        response: { 200: pageSchema(OrderSchema), ...problems(400, 404, 502, 503) },
      },
    },
    async (request) => ordersFor(deps, authOf(request), request.query),
  );

  app.get(
    '/:orderId',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'One order with its history',
        params,
        querystring: Type.Object(AsCharacter, { additionalProperties: false }),
        response: { 200: OrderDetailSchema, ...problems(400, 404, 502, 503) },
      },
    },
    async (request) => orderDetail(deps, authOf(request), request.params.orderId, request.query.characterId),
  );

  app.get(
    '/:orderId/timeline',
    {
      config: { access: 'caller' },
      schema: {
        summary: "The order's timeline: every transition, application and dispute step, with actor and time",
        params,
        querystring: Type.Object(AsCharacter, { additionalProperties: false }),
        response: { 200: TimelineSchema, ...problems(400, 404, 502, 503) },
      },
    },
    async (request) => orderTimeline(deps, authOf(request), request.params.orderId, request.query.characterId),
  );

  const step = (path: string, summary: string, run: typeof startOrder) =>
    app.post(
      `/:orderId/${path}`,
      {
        config: { access: 'caller' },
        schema: {
          summary,
          params,
          headers: IdempotencyHeaders,
          response: { 200: OrderSchema, ...problems(...CommandProblems) },
        },
      },
      async (request, reply) =>
        sendResult(reply, await run(deps, authOf(request), request.params.orderId, idempotencyFor(request))),
    );
  step('publish', 'Customer: lock reward + commission in escrow and publish', publishOrder);
  step('start', 'Executor: start the work', startOrder);
  step('complete', 'Customer: accept the delivery; the executor is paid', completeOrder);
  step('cancel', 'Customer: cancel from draft, published or accepted', cancelOrder);

  app.post(
    '/:orderId/deliver',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Executor: deliver the work',
        params,
        headers: IdempotencyHeaders,
        body: DeliverBody,
        response: { 200: OrderSchema, ...problems(...CommandProblems) },
      },
    },
    async (request, reply) =>
      sendResult(
        reply,
        await deliverOrder(deps, authOf(request), request.params.orderId, request.body, idempotencyFor(request)),
      ),
  );

  app.post(
    '/:orderId/dispute',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Either party: dispute an order in progress or delivered',
        params,
        headers: IdempotencyHeaders,
        body: DisputeBody,
        response: { 200: OrderSchema, ...problems(...CommandProblems) },
      },
    },
    async (request, reply) =>
      sendResult(
        reply,
        await disputeOrder(deps, authOf(request), request.params.orderId, request.body, idempotencyFor(request)),
      ),
  );

  app.post(
    '/:orderId/resolve',
    {
      config: { access: { roles: Arbiters } },
      schema: {
        summary: "Arbiter: resolve the dispute with the executor's share of the reward",
        params,
        headers: IdempotencyHeaders,
        body: ResolveBody,
        response: { 200: OrderSchema, ...problems(...CommandProblems) },
      },
    },
    async (request, reply) =>
      sendResult(
        reply,
        await resolveOrder(deps, authOf(request), request.params.orderId, request.body, idempotencyFor(request)),
      ),
  );

  app.post(
    '/:orderId/reviews',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'A party reviews the other once the order ended (one review per author)',
        params,
        headers: IdempotencyHeaders,
        body: ReviewBody,
        response: { 201: ReviewSchema, ...problems(...CommandProblems) },
      },
    },
    async (request, reply) =>
      sendResult(
        reply,
        await reviewOrder(deps, authOf(request), request.params.orderId, request.body, idempotencyFor(request)),
      ),
  );
}
