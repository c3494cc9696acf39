import { authOf, type HttpApp, IdempotencyHeaders, idempotencyOf, problems, sendResult, Uuid } from '@necp/platform';
import { Type } from 'typebox';
import type { Settlement } from '../domain/escrow.ts';
import { escrowSettlers } from '../domain/roles.ts';
import type { EconomyDeps } from '../flows/deps.ts';
import { escrowFor, lockOrderEscrow, settleOrderEscrow } from '../flows/escrows.ts';
import { Amount } from './schemas.ts';

const Status = Type.Union([
  Type.Literal('locked'),
  Type.Literal('released'),
  Type.Literal('refunded'),
  Type.Literal('split'),
]);

const EscrowSchema = Type.Object({
  orderId: Uuid,
  payerCharacterId: Uuid,
  status: Status,
  amount: Type.Integer(),
  commission: Type.Integer(),
  executorCharacterId: Type.Union([Uuid, Type.Null()]),
  executorAmount: Type.Integer(),
  refundAmount: Type.Integer(),
  commissionTaken: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  history: Type.Array(
    Type.Object({
      status: Status,
      executorAmount: Type.Integer(),
      refundAmount: Type.Integer(),
      commissionTaken: Type.Integer(),
      source: Type.String(),
      at: Type.String({ format: 'date-time' }),
    }),
  ),
});

const LockBody = Type.Object(
  {
    orderId: Uuid,
    payerCharacterId: Uuid,
    amount: Amount,
    commission: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
  },
  { additionalProperties: false },
);

const params = Type.Object({ orderId: Uuid });

/** Under `/api/v1/economy/escrows`: locks (a service or the payer's owner), reads (the parties), settlements (settlers). */
export function escrowRoutes(app: HttpApp, deps: EconomyDeps): void {
  app.post(
    '',
    {
      config: { access: 'caller' },
      schema: {
        summary: "Lock an order's reward and commission from the payer (idempotent on orderId)",
        headers: IdempotencyHeaders,
        body: LockBody,
        response: { 201: EscrowSchema, ...problems(400, 403, 404, 409, 422, 502, 503) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const idempotency = idempotencyOf(request, 'economy', caller.accountId);
      return sendResult(reply, await lockOrderEscrow(deps, caller, request.body, idempotency));
    },
  );

  app.get(
    '/:orderId',
    {
      config: { access: 'caller' },
      schema: {
        summary: "An order's escrow with its history",
        params,
        response: { 200: EscrowSchema, ...problems(403, 404) },
      },
    },
    async (request) => escrowFor(deps, authOf(request), request.params.orderId),
  );

  const settleRoute = <B extends Parameters<typeof Type.Object>[0]>(
    action: string,
    body: B,
    toSettlement: (input: Record<string, unknown>) => { settlement: Settlement; executor: string | null },
  ) =>
    app.post(
      `/:orderId/${action}`,
      {
        config: { access: { roles: escrowSettlers } },
        schema: {
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} an order's escrow (service or arbiter; idempotent)`,
          params,
          headers: IdempotencyHeaders,
          body: Type.Object(body, { additionalProperties: false }),
          response: { 200: EscrowSchema, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const caller = authOf(request);
        const idempotency = idempotencyOf(request, 'economy', caller.accountId);
        const settlement = toSettlement(request.body as Record<string, unknown>);
        return sendResult(
          reply,
          await settleOrderEscrow(deps, caller, request.params.orderId, settlement, idempotency),
        );
      },
    );

  settleRoute('release', { executorCharacterId: Uuid }, (body) => ({
    settlement: { kind: 'release' },
    executor: body.executorCharacterId as string,
  }));
  // With an executor this is the cancel after accept: the executor keeps the configured cut.
  settleRoute('refund', { executorCharacterId: Type.Optional(Uuid) }, (body) => ({
    settlement: { kind: 'refund', executorPaid: typeof body.executorCharacterId === 'string' },
    executor: (body.executorCharacterId as string | undefined) ?? null,
  }));
  settleRoute(
    'split',
    { executorCharacterId: Uuid, executorSharePercent: Type.Integer({ minimum: 0, maximum: 100 }) },
    (body) => ({
      settlement: { kind: 'split', executorSharePercent: body.executorSharePercent as number },
      executor: body.executorCharacterId as string,
    }),
  );
}
