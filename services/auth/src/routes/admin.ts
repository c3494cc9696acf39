import { authOf, type HttpApp, ProblemSchema } from '@necp/platform';
import { Type } from 'typebox';
import { ban, setRoles, unban } from '../flows/accounts.ts';
import type { AuthApp } from '../flows/auth-app.ts';
import { AccountIdParams, AuthTag, bearer, RoleSchema } from './schemas.ts';

const BanResult = Type.Object({
  accountId: Type.String(),
  status: Type.Union([Type.Literal('banned'), Type.Literal('active')]),
  reason: Type.Optional(Type.String()),
  until: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export function adminRoutes(app: HttpApp, auth: AuthApp): void {
  const { authenticate, requireRole } = auth.authenticator;
  const errors = { 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };

  app.put(
    '/api/v1/auth/accounts/:accountId/roles',
    {
      preHandler: [authenticate, requireRole('admin')],
      schema: {
        tags: [AuthTag],
        summary: "Replace an account's roles (admin)",
        security: bearer,
        params: AccountIdParams,
        body: Type.Object(
          { roles: Type.Array(RoleSchema, { maxItems: 10, uniqueItems: true }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ accountId: Type.String(), roles: Type.Array(Type.String()) }), ...errors },
      },
    },
    async (request) => setRoles(auth, request.params.accountId, request.body.roles),
  );

  app.post(
    '/api/v1/auth/accounts/:accountId/ban',
    {
      preHandler: [authenticate, requireRole('admin', 'moderator')],
      schema: {
        tags: [AuthTag],
        summary: 'Ban an account: every token it holds stops working at once (admin, moderator)',
        security: bearer,
        params: AccountIdParams,
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 500 }),
            until: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: BanResult, ...errors },
      },
    },
    async (request) => {
      const { reason, until } = request.body;
      return ban(auth, authOf(request), request.params.accountId, { reason, until: until ? new Date(until) : null });
    },
  );

  app.delete(
    '/api/v1/auth/accounts/:accountId/ban',
    {
      preHandler: [authenticate, requireRole('admin', 'moderator')],
      schema: {
        tags: [AuthTag],
        summary: 'Lift a ban (admin, moderator)',
        security: bearer,
        params: AccountIdParams,
        response: { 200: BanResult, ...errors },
      },
    },
    async (request) => unban(auth, request.params.accountId),
  );
}
