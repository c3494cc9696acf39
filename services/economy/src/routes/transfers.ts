import { AppError, type HttpApp, hasAnyRole } from '@necp/platform';
import { Type } from 'typebox';
import { type Access, Roles } from '../access.ts';
import type { TransferPoster } from '../store/transfer-batcher.ts';
import { houseGrant, p2pTransfer } from '../store/wallet-ops.ts';
import { postOnceChecked, send } from './idempotent.ts';
import { Amount, AssetSchema, bearer, IdempotencyHeaders, problems, Uuid } from './schemas.ts';

const TransferBody = Type.Object(
  {
    fromCharacterId: Uuid,
    toCharacterId: Uuid,
    asset: AssetSchema,
    amount: Amount,
    memo: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const TransferSchema = Type.Object({
  transferId: Uuid,
  fromCharacterId: Uuid,
  toCharacterId: Uuid,
  asset: Type.String(),
  amount: Type.Integer(),
  memo: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

const GrantBody = Type.Object(
  {
    characterId: Uuid,
    asset: AssetSchema,
    amount: Amount,
    reason: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const GrantSchema = Type.Object({
  grantId: Uuid,
  characterId: Uuid,
  asset: Type.String(),
  amount: Type.Integer(),
  reason: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

export function transferRoutes(app: HttpApp, access: Access, poster: TransferPoster): void {
  app.post(
    '/api/v1/economy/transfers',
    {
      schema: {
        summary: 'Move an asset from one character to another',
        security: bearer,
        headers: IdempotencyHeaders,
        body: TransferBody,
        response: { 201: TransferSchema, ...problems(400, 401, 403, 404, 422) },
      },
      preHandler: access.authenticate,
    },
    async (request, reply) => {
      const body = request.body;
      if (body.fromCharacterId === body.toCharacterId) {
        throw new AppError('VALIDATION_ERROR', 'A transfer needs two different characters', {
          errors: [{ path: 'body/toCharacterId', message: 'must differ from fromCharacterId' }],
        });
      }
      const caller = access.caller(request);
      const { transfer, viewOf } = p2pTransfer(body, caller.accountId);
      // A payee that does not exist would keep the eddies in an account no one can reach.
      const parties = {
        debitOwnedBy: hasAnyRole(caller, [Roles.service]) ? null : caller.accountId,
        creditMustExist: true,
      };
      const result = await postOnceChecked(
        poster,
        request,
        caller.accountId,
        { transfer, answer: (posted) => ({ status: 201, body: viewOf(posted) }) },
        parties,
        () =>
          Promise.all([
            access.assertCharacter(request, body.fromCharacterId, [Roles.service]),
            access.assertExists(body.toCharacterId),
          ]),
      );
      return send(reply, result);
    },
  );

  app.post(
    '/api/v1/economy/grants',
    {
      schema: {
        summary: 'Mint an asset from the house to a character (admin or service)',
        security: bearer,
        headers: IdempotencyHeaders,
        body: GrantBody,
        response: { 201: GrantSchema, ...problems(400, 401, 403, 404) },
      },
      preHandler: [access.authenticate, access.requireRole(Roles.admin, Roles.service)],
    },
    async (request, reply) => {
      const caller = access.caller(request);
      const { transfer, viewOf } = houseGrant(request.body, caller.accountId);
      const result = await postOnceChecked(
        poster,
        request,
        caller.accountId,
        { transfer, answer: (posted) => ({ status: 201, body: viewOf(posted) }) },
        { debitOwnedBy: null, creditMustExist: true },
        () => access.assertExists(request.body.characterId),
      );
      return send(reply, result);
    },
  );
}
