import { authOf, type HttpApp, IdempotencyHeaders, idempotencyOf, problems, sendResult, Uuid } from '@necp/platform';
import { Type } from 'typebox';
import { Roles } from '../domain/roles.ts';
import type { EconomyDeps } from '../flows/deps.ts';
import { grantFromHouse, transferBetweenCharacters } from '../flows/transfers.ts';
import { Amount, AssetSchema } from './schemas.ts';

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

/** Under `/api/v1/economy`: P2P transfers (the payer's owner, or a service) and grants (admins, services). */
export function transferRoutes(app: HttpApp, deps: EconomyDeps): void {
  app.post(
    '/transfers',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Move an asset from one character to another',
        headers: IdempotencyHeaders,
        body: TransferBody,
        response: { 201: TransferSchema, ...problems(400, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const idempotency = idempotencyOf(request, 'economy', caller.accountId);
      return sendResult(reply, await transferBetweenCharacters(deps, caller, request.body, idempotency));
    },
  );

  app.post(
    '/grants',
    {
      config: { access: { roles: [Roles.admin, Roles.service] } },
      schema: {
        summary: 'Mint an asset from the house to a character (admin or service)',
        headers: IdempotencyHeaders,
        body: GrantBody,
        response: { 201: GrantSchema, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const idempotency = idempotencyOf(request, 'economy', caller.accountId);
      return sendResult(reply, await grantFromHouse(deps, caller, request.body, idempotency));
    },
  );
}
