import type { HttpApp } from '@necp/platform';
import { Type } from 'typebox';
import { Roles } from '../domain/roles.ts';
import { auditLedger } from '../flows/audit.ts';
import type { EconomyDeps } from '../flows/deps.ts';

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

/** Under `/api/v1/economy`: the ledger's audit, for admins. */
export function auditRoutes(app: HttpApp, deps: EconomyDeps): void {
  app.get(
    '/audit',
    {
      config: { access: { roles: [Roles.admin] } },
      schema: {
        summary: 'Per asset, the sum over every account (must be zero) and a recomputation from the transfers',
        response: { 200: AuditSchema },
      },
    },
    async () => auditLedger(deps.db),
  );
}
