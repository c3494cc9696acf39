import { authOf, type HttpApp, problems } from '@necp/platform';
import { Type } from 'typebox';
import { ban, setRoles, unban } from '../flows/accounts.ts';
import type { AuthApp } from '../flows/auth-app.ts';
import { unlockAccount } from '../flows/lockout.ts';
import { AccountIdParams, AuthTag, RoleSchema } from './schemas.ts';

const BanResult = Type.Object({
  accountId: Type.String(),
  status: Type.Union([Type.Literal('banned'), Type.Literal('active')]),
  reason: Type.Optional(Type.String()),
  until: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

const Moderation = { roles: ['admin', 'moderator'] };

/** Under `/api/v1/auth/accounts`: roles, bans and login locks, for staff. */
export function adminRoutes(app: HttpApp, auth: AuthApp): void {
  app.put(
    '/:accountId/roles',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: [AuthTag],
        summary: "Replace an account's roles (admin)",
        params: AccountIdParams,
        body: Type.Object(
          { roles: Type.Array(RoleSchema, { maxItems: 10, uniqueItems: true }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ accountId: Type.String(), roles: Type.Array(Type.String()) }),
          ...problems(404),
        },
      },
    },
    async (request) => setRoles(auth, request.params.accountId, request.body.roles),
  );

  app.post(
    '/:accountId/ban',
    {
      config: { access: Moderation },
      schema: {
        tags: [AuthTag],
        summary: 'Ban an account: every token it holds stops working at once (admin, moderator)',
        params: AccountIdParams,
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 500 }),
            until: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: BanResult, ...problems(404) },
      },
    },
    async (request) => {
      const { reason, until } = request.body;
      return ban(auth, authOf(request), request.params.accountId, { reason, until: until ? new Date(until) : null });
    },
  );

  app.delete(
    '/:accountId/ban',
    {
      config: { access: Moderation },
      schema: {
        tags: [AuthTag],
        summary: 'Lift a ban (admin, moderator)',
        params: AccountIdParams,
        response: { 200: BanResult, ...problems(404) },
      },
    },
    async (request) => unban(auth, request.params.accountId),
  );

  app.post(
    '/:accountId/unlock',
    {
      config: { access: Moderation },
      schema: {
        tags: [AuthTag],
        summary: 'Lift every login lock on an account, from every address (admin, moderator)',
        params: AccountIdParams,
        response: { 204: Type.Null(), ...problems(404) },
      },
    },
    async (request, reply) => {
      await unlockAccount(auth, request.params.accountId);
      return reply.code(204).send(null);
    },
  );
}
