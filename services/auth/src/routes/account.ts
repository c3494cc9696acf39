import { authOf, type HttpApp, problems } from '@necp/platform';
import { Type } from 'typebox';
import { changePassword, describeAccount, register } from '../flows/accounts.ts';
import type { AuthApp } from '../flows/auth-app.ts';
import { userInfo } from '../flows/userinfo.ts';
import {
  AccountSchema,
  AuthTag,
  MeSchema,
  NewPassword,
  Password,
  RegisterRequestSchema,
  UserInfoSchema,
} from './schemas.ts';

export function accountRoutes(app: HttpApp, auth: AuthApp): void {
  app.post(
    '/register',
    {
      config: { access: 'public' },
      schema: {
        tags: [AuthTag],
        summary: 'Create an account',
        body: RegisterRequestSchema,
        response: { 201: AccountSchema, ...problems(409) },
      },
    },
    async (request, reply) => reply.code(201).send(await register(auth, request.body)),
  );

  app.get(
    '/me',
    {
      config: { access: 'caller' },
      schema: { tags: [AuthTag], summary: 'The caller', response: { 200: MeSchema } },
    },
    async (request) => describeAccount(auth, authOf(request).accountId),
  );

  // OpenID Connect Core §5.3.1: the UserInfo endpoint answers GET and POST alike.
  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: '/userinfo',
      config: { access: 'caller' },
      schema: {
        tags: [AuthTag],
        summary: 'OpenID Connect UserInfo: the subject (`sub`) of the access token and its profile claims',
        response: { 200: UserInfoSchema },
      },
      handler: async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return userInfo(auth, authOf(request));
      },
    });
  }

  app.post(
    '/password',
    {
      config: { access: 'caller' },
      schema: {
        tags: [AuthTag],
        summary: 'Change the password; ends every other session',
        body: Type.Object({ currentPassword: Password, newPassword: NewPassword }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...problems(403) },
      },
    },
    async (request, reply) => {
      await changePassword(auth, authOf(request), request.body);
      return reply.code(204).send(null);
    },
  );
}
