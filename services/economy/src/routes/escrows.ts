import { AppError, type HttpApp, hasAnyRole, type SqlDatabase } from '@necp/platform';
import { Type } from 'typebox';
import { type Access, Roles } from '../access.ts';
import type { Settlement } from '../domain/escrow.ts';
import { lockEscrow, readEscrow, settleEscrow } from '../store/escrow-store.ts';
import type { EconomyDb } from '../store/ledger-store.ts';
import { runOnce, send } from './idempotent.ts';
import { Amount, bearer, IdempotencyHeaders, problems, Uuid } from './schemas.ts';

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

const settlers = [Roles.service, Roles.arbiter, Roles.admin];
const readers = [Roles.service, Roles.arbiter, Roles.admin];
const params = Type.Object({ orderId: Uuid });

export function escrowRoutes(app: HttpApp, access: Access, db: SqlDatabase, typed: EconomyDb): void {
  app.post(
    '/api/v1/economy/escrows',
    {
      schema: {
        summary: "Lock an order's reward and commission from the payer (idempotent on orderId)",
        security: bearer,
        headers: IdempotencyHeaders,
        body: LockBody,
        response: { 201: EscrowSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
      preHandler: access.authenticate,
    },
    async (request, reply) => {
      await access.assertCharacter(request, request.body.payerCharacterId, [Roles.service]);
      const caller = access.caller(request);
      const result = await runOnce(db, request, caller.accountId, async (trx) => ({
        status: 201,
        body: await lockEscrow(trx, request.body, caller.accountId),
      }));
      return send(reply, result);
    },
  );

  app.get(
    '/api/v1/economy/escrows/:orderId',
    {
      schema: {
        summary: "An order's escrow with its history",
        security: bearer,
        params,
        response: { 200: EscrowSchema, ...problems(401, 403, 404) },
      },
      preHandler: access.authenticate,
    },
    async (request) => {
      const escrow = await readEscrow(typed, request.params.orderId);
      if (!escrow) throw new AppError('NOT_FOUND', `No escrow for order ${request.params.orderId}`);
      const allowed =
        hasAnyRole(access.caller(request), readers) ||
        (await access.ownsAny(request, [escrow.payerCharacterId, escrow.executorCharacterId]));
      if (!allowed)
        throw new AppError('FORBIDDEN', 'Only the parties of the order, arbiters and services see its escrow');
      return escrow;
    },
  );

  const settleRoute = <B extends Parameters<typeof Type.Object>[0]>(
    action: string,
    body: B,
    toSettlement: (input: Record<string, unknown>) => { settlement: Settlement; executor: string | null },
  ) =>
    app.post(
      `/api/v1/economy/escrows/:orderId/${action}`,
      {
        schema: {
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} an order's escrow (service or arbiter; idempotent)`,
          security: bearer,
          params,
          headers: IdempotencyHeaders,
          body: Type.Object(body, { additionalProperties: false }),
          response: { 200: EscrowSchema, ...problems(400, 401, 403, 404, 409) },
        },
        preHandler: [access.authenticate, access.requireRole(...settlers)],
      },
      async (request, reply) => {
        const caller = access.caller(request);
        const { settlement, executor } = toSettlement(request.body as Record<string, unknown>);
        if (executor !== null) await access.assertExists(executor);
        const result = await runOnce(db, request, caller.accountId, async (trx) => ({
          status: 200,
          body: await settleEscrow(trx, request.params.orderId, settlement, executor, caller.accountId, 'api'),
        }));
        return send(reply, result);
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
