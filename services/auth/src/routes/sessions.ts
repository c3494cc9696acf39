import { AppError, authOf, decodeKeysetCursor, encodeKeysetCursor, type HttpApp, ProblemSchema } from '@necp/platform';
import { Type } from 'typebox';
import type { AuthApp } from '../flows/auth-app.ts';
import { endSessions } from '../flows/sessions.ts';
import { hashToken } from '../secrets.ts';
import { findSession, listLiveSessions } from '../store/sessions.ts';
import { AuthTag, bearer, SessionSchema, Uuid } from './schemas.ts';

/** The session a refresh token belongs to, if it belongs to `accountId`. */
async function sessionOfRefreshToken(auth: AuthApp, token: string, accountId: string) {
  const row = await auth.db
    .selectFrom('auth.refresh_tokens')
    .innerJoin('auth.sessions', 'auth.sessions.id', 'auth.refresh_tokens.session_id')
    .select(['auth.sessions.id as id', 'auth.sessions.account_id as accountId'])
    .where('auth.refresh_tokens.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row && row.accountId === accountId ? row.id : undefined;
}

const DefaultPageSize = 20;

export function sessionRoutes(app: HttpApp, auth: AuthApp): void {
  const { authenticate } = auth.authenticator;

  app.post(
    '/api/v1/auth/logout',
    {
      preHandler: authenticate,
      schema: {
        tags: [AuthTag],
        summary: "End a session: the refresh token's, or else the caller's own",
        security: bearer,
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
      const caller = authOf(request);
      const token = request.body?.refresh_token;
      const sessionId = token ? await sessionOfRefreshToken(auth, token, caller.accountId) : caller.sessionId;
      if (sessionId) await endSessions(auth, { sessionId, accountId: caller.accountId }, 'logout');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/revoke',
    {
      preHandler: authenticate,
      schema: {
        tags: [AuthTag],
        summary: 'RFC 7009 revocation of a refresh (or access) token of the caller',
        security: bearer,
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: Type.Object(
          {
            token: Type.String({ minLength: 1, maxLength: 4096 }),
            token_type_hint: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({}) },
      },
    },
    async (request) => {
      const caller = authOf(request);
      const { token } = request.body;
      let sessionId = await sessionOfRefreshToken(auth, token, caller.accountId);
      if (!sessionId && token.split('.').length === 3) {
        const verified = await auth.authenticator.verifier.verify(token).catch(() => undefined);
        if (verified?.accountId === caller.accountId) sessionId = verified.sessionId;
      }
      // RFC 7009 §2.2: unknown or foreign tokens are answered the same, revealing nothing.
      if (sessionId) await endSessions(auth, { sessionId, accountId: caller.accountId }, 'revoked');
      return {};
    },
  );

  app.get(
    '/api/v1/auth/sessions',
    {
      preHandler: authenticate,
      schema: {
        tags: [AuthTag],
        summary: "The caller's live sessions",
        security: bearer,
        querystring: Type.Object({
          // Optional: the validator checks but does not fill in defaults, the route does.
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DefaultPageSize })),
          cursor: Type.Optional(Type.String({ maxLength: 256 })),
        }),
        response: {
          200: Type.Object({ items: Type.Array(SessionSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async (request) => {
      const caller = authOf(request);
      const { limit = DefaultPageSize, cursor } = request.query;
      const page = { limit: limit + 1, ...(cursor ? { after: decodeKeysetCursor(cursor) } : {}) };
      const sessions = await listLiveSessions(auth.db, caller.accountId, page, new Date());
      const items = sessions.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map((session) => ({
          sessionId: session.id,
          clientId: session.clientId,
          createdAt: session.createdAt.toISOString(),
          lastUsedAt: session.lastUsedAt.toISOString(),
          expiresAt: session.expiresAt.toISOString(),
          userAgent: session.userAgent,
          ip: session.ip,
          current: session.id === caller.sessionId,
        })),
        nextCursor: sessions.length > limit && last ? encodeKeysetCursor({ at: last.createdAt, id: last.id }) : null,
      };
    },
  );

  app.delete(
    '/api/v1/auth/sessions/:sessionId',
    {
      preHandler: authenticate,
      schema: {
        tags: [AuthTag],
        summary: 'End one of your sessions',
        security: bearer,
        params: Type.Object({ sessionId: Uuid }),
        response: { 204: Type.Null(), 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const session = await findSession(auth.db, request.params.sessionId);
      // Someone else's session is answered like a missing one.
      if (!session || session.accountId !== caller.accountId || session.revokedAt) {
        throw new AppError('NOT_FOUND', 'No such session');
      }
      await endSessions(auth, { sessionId: session.id }, 'ended by owner');
      return reply.code(204).send(null);
    },
  );
}
