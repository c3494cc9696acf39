import { authOf, type HttpApp, PageQuery, pageSchema, problems, Uuid } from '@necp/platform';
import { Type } from 'typebox';
import type { EconomyDeps } from '../flows/deps.ts';
import { ledgerOf, walletOf } from '../flows/wallets.ts';

const WalletSchema = Type.Object({
  characterId: Uuid,
  balances: Type.Array(Type.Object({ asset: Type.String(), available: Type.Integer(), held: Type.Integer() })),
});

const LedgerEntrySchema = Type.Object({
  transferId: Uuid,
  kind: Type.Union([Type.Literal('posted'), Type.Literal('pending'), Type.Literal('post'), Type.Literal('void')]),
  direction: Type.Union([Type.Literal('debit'), Type.Literal('credit')]),
  asset: Type.String(),
  /** Signed change of the character's balance (posted value), 0 for holds and voids. */
  balanceChange: Type.Integer(),
  /** Signed change of what is held on the character's account. */
  heldChange: Type.Integer(),
  counterparty: Type.Object({ kind: Type.String(), ownerId: Type.String() }),
  reason: Type.String(),
  memo: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

const params = Type.Object({ characterId: Uuid });

/** A ledger page's cursor is the `seq` of the last entry shown: any such number names a position. */
const LedgerPageQuery = Type.Object(
  {
    limit: PageQuery.properties.limit,
    cursor: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,18}$', description: "The previous page's nextCursor: entries before it" }),
    ),
  },
  { additionalProperties: false },
);

/** Under `/api/v1/economy/wallets`: for the character's owner, admins and services. */
export function walletRoutes(app: HttpApp, deps: EconomyDeps): void {
  app.get(
    '/:characterId',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Balances of a character, every asset',
        params,
        response: { 200: WalletSchema, ...problems(403, 404) },
      },
    },
    async (request) => walletOf(deps, authOf(request), request.params.characterId),
  );

  app.get(
    '/:characterId/ledger',
    {
      config: { access: 'caller' },
      schema: {
        summary: "A character's ledger entries, newest first",
        params,
        querystring: LedgerPageQuery,
        response: { 200: pageSchema(LedgerEntrySchema), ...problems(400, 403, 404) },
      },
    },
    async (request) => ledgerOf(deps, authOf(request), request.params.characterId, request.query),
  );
}
