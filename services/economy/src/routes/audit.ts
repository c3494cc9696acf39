import type { HttpApp } from '@necp/platform';
import { Type } from 'typebox';
import { type Access, Roles } from '../access.ts';
import { auditLedger } from '../store/audit-store.ts';
import type { EconomyDb } from '../store/ledger-store.ts';
import { bearer, problems } from './schemas.ts';

const AuditSchema = Type.Object({
  balanced: Type.Boolean(),
  assets: Type.Array(
    Type.Object({
      asset: Type.String(),
      sum: Type.Integer(),
      accounts: Type.Integer(),
      recomputedSum: Type.Integer(),
      mismatchedAccounts: Type.Integer(),
      balanced: Type.Boolean(),
    }),
  ),
});

export function auditRoutes(app: HttpApp, access: Access, db: EconomyDb): void {
  app.get(
    '/api/v1/economy/audit',
    {
      schema: {
        summary: 'Per asset, the sum over every account (must be zero) and a recomputation from the transfers',
        security: bearer,
        response: { 200: AuditSchema, ...problems(401, 403) },
      },
      preHandler: [access.authenticate, access.requireRole(Roles.admin)],
    },
    async () => auditLedger(db),
  );
}
