import { authOf, type HttpApp, pageLimit, pageQuery, pageSchema, problems, Uuid } from '@necp/platform';
import { Type } from 'typebox';
import type { AuthApp } from '../flows/auth-app.ts';
import { endOwnSession, listSessions, logout } from '../flows/sessions.ts';
import { AuthTag, SessionSchema } from './schemas.ts';

export function sessionRoutes(app: HttpApp, auth: AuthApp): void {
  app.post(
    '/logout',
    {
      config: { access: 'caller' },
      schema: {
        tags: [AuthTag],
        summary: "End a session: the refresh token's, or else the caller's own",
        body: Type.Optional(
          Type.Object(
            { refresh_token: Type.Optional(Type.String({ maxLength: 512 })) },
            { additionalProperties: false },
          ),
        ),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await logout(auth, authOf(request), request.body?.refresh_token);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/sessions',
    {
      config: { access: 'caller' },
      schema: {
        tags: [AuthTag],
        summary: "The caller's live sessions",
        querystring: pageQuery({}),
        response: { 200: pageSchema(SessionSchema) },
      },
    },
    async (request) =>
      listSessions(auth, authOf(request), { limit: pageLimit(request.query), cursor: request.query.cursor }),
  );

  app.delete(
    '/sessions/:sessionId',
    {
      config: { access: 'caller' },
      schema: {
        tags: [AuthTag],
        summary: 'End one of your sessions',
        params: Type.Object({ sessionId: Uuid }),
        response: { 204: Type.Null(), ...problems(404) },
      },
    },
    async (request, reply) => {
      await endOwnSession(auth, authOf(request).accountId, request.params.sessionId);
      return reply.code(204).send(null);
    },
  );
}
