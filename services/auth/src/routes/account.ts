import { AppError, authOf, type HttpApp, ProblemSchema } from '@necp/platform';
import { Type } from 'typebox';
import { isBanned } from '../domain/accounts.ts';
import { changePassword, register } from '../flows/accounts.ts';
import type { AuthApp } from '../flows/auth-app.ts';
import { findAccount } from '../store/accounts.ts';
import { AccountSchema, AuthTag, bearer, MeSchema, NewPassword, Password, RegisterRequestSchema } from './schemas.ts';

export function accountRoutes(app: HttpApp, auth: AuthApp): void {
  const { authenticate } = auth.authenticator;

  app.post(
    '/api/v1/auth/register',
    {
      schema: {
        tags: [AuthTag],
        summary: 'Create an account',
        body: RegisterRequestSchema,
        response: { 201: AccountSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await register(auth, request.body)),
  );

  app.get(
    '/api/v1/auth/me',
    {
      preHandler: authenticate,
      schema: { tags: [AuthTag], summary: 'The caller', security: bearer, response: { 200: MeSchema } },
    },
    async (request) => {
      const account = await findAccount(auth.db, authOf(request).accountId);
      if (!account) throw new AppError('NOT_FOUND', 'No account for this token');
      return {
        accountId: account.id,
        email: account.email,
        username: account.username,
        roles: account.roles,
        createdAt: account.createdAt.toISOString(),
        status: isBanned(account, new Date()) ? ('banned' as const) : ('active' as const),
      };
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      preHandler: authenticate,
      schema: {
        tags: [AuthTag],
        summary: 'Change the password; ends every other session',
        security: bearer,
        body: Type.Object({ currentPassword: Password, newPassword: NewPassword }, { additionalProperties: false }),
        response: { 204: Type.Null(), 403: ProblemSchema },
      },
    },
    async (request, reply) => {
      await changePassword(auth, authOf(request), request.body);
      return reply.code(204).send(null);
    },
  );
}
