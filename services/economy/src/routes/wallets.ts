import type { HttpApp } from '@necp/platform';
import { Type } from 'typebox';
import { type Access, Roles } from '../access.ts';
import { characterLedger, type EconomyDb } from '../store/ledger-store.ts';
import { wallet } from '../store/wallet-ops.ts';
import { bearer, DEFAULT_PAGE_SIZE, PageQuery, problems, Uuid } from './schemas.ts';

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

const readers = [Roles.admin, Roles.service];

export function walletRoutes(app: HttpApp, access: Access, db: EconomyDb): void {
  const params = Type.Object({ characterId: Uuid });
  app.get(
    '/api/v1/economy/wallets/:characterId',
    {
      schema: {
        summary: 'Balances of a character, every asset',
        security: bearer,
        params,
        response: { 200: WalletSchema, ...problems(401, 403, 404) },
      },
      preHandler: access.authenticate,
    },
    async (request) => {
      await access.assertCharacter(request, request.params.characterId, readers);
      return wallet(db, request.params.characterId);
    },
  );

  app.get(
    '/api/v1/economy/wallets/:characterId/ledger',
    {
      schema: {
        summary: "A character's ledger entries, newest first",
        security: bearer,
        params,
        querystring: PageQuery,
        response: {
          200: Type.Object({
            items: Type.Array(LedgerEntrySchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problems(400, 401, 403, 404),
        },
      },
      preHandler: access.authenticate,
    },
    async (request) => {
      await access.assertCharacter(request, request.params.characterId, readers);
      const { limit, cursor } = request.query;
      const page = await characterLedger(
        db,
        request.params.characterId,
        limit ?? DEFAULT_PAGE_SIZE,
        cursor ? Number(cursor) : undefined,
      );
      return {
        items: page.entries.map(({ transfer, direction, counterparty }) => {
          const sign = direction === 'debit' ? -1 : 1;
          const held = direction === 'debit' ? (transfer.kind === 'pending' ? transfer.amount : -transfer.released) : 0;
          return {
            transferId: transfer.id,
            kind: transfer.kind,
            direction,
            asset: transfer.asset,
            balanceChange: transfer.kind === 'pending' ? 0 : sign * transfer.amount,
            heldChange: held,
            counterparty,
            reason: transfer.reason,
            memo: transfer.memo,
            createdAt: transfer.createdAt.toISOString(),
          };
        }),
        nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      };
    },
  );
}
