import { AppError, type HttpApp, problems, sendProblem } from '@necp/platform';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthApp } from '../flows/auth-app.ts';
import { DefaultClientId } from '../flows/auth-app.ts';
import { LoginRefused, OAuthError } from '../flows/errors.ts';
import { grantTokens } from '../flows/grants.ts';
import { passwordLogin } from '../flows/login.ts';
import { AuthTag, LoginRequestSchema, OAuthErrorSchema, TokenRequestSchema, TokenResponseSchema } from './schemas.ts';

/** RFC 6749 §2.3.1: `Authorization: Basic` with form-urlencoded id and secret. */
function basicCredentials(request: FastifyRequest): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

function requestMeta(request: FastifyRequest) {
  const userAgent = request.headers['user-agent'];
  return { userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 256) : null, ip: request.ip };
}

/** OAuth2 errors in RFC 6749's shape (plus `code`, and `lockedUntil` for a lock), everything else as problems. */
function oauthErrorHandler(auth: AuthApp) {
  return (error: FastifyError | Error, _request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    if (error instanceof OAuthError) {
      if (error.error === 'invalid_client') reply.header('www-authenticate', 'Basic realm="necp"');
      return reply.code(error.status).send({ error: error.error, error_description: error.message });
    }
    if (error instanceof LoginRefused) {
      const problem = error.toAppError();
      reply.headers(problem.headers);
      return reply.code(error.reason === 'locked' ? 423 : 400).send({
        error: 'invalid_grant',
        error_description: error.message,
        code: problem.code,
        ...problem.extensions,
      });
    }
    // Any unreadable request (schema, malformed JSON, text a database cannot store) is RFC 6749's
    // invalid_request: this route's 400 answer has that shape, and a problem body would not serialize.
    const status = error instanceof AppError ? error.status : (error as FastifyError).statusCode;
    if ((error as FastifyError).validation || status === 400) {
      return reply.code(400).send({ error: 'invalid_request', error_description: error.message });
    }
    return sendProblem(reply, error, auth.logger);
  };
}

/** The token endpoint and its JSON convenience, `/login`: public, they are how a caller gets a token. */
export function tokenRoutes(app: HttpApp, auth: AuthApp): void {
  app.post(
    '/token',
    {
      config: { access: 'public' },
      schema: {
        tags: [AuthTag],
        summary: 'OAuth2 token endpoint: password, refresh_token and client_credentials grants',
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequestSchema,
        response: { 200: TokenResponseSchema, 400: OAuthErrorSchema, 401: OAuthErrorSchema, 423: OAuthErrorSchema },
      },
      errorHandler: oauthErrorHandler(auth),
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const meta = { basicCredentials: () => basicCredentials(request), ...requestMeta(request) };
      return grantTokens(auth, request.body, meta);
    },
  );

  app.post(
    '/login',
    {
      config: { access: 'public' },
      schema: {
        tags: [AuthTag],
        summary: 'JSON convenience for the password grant',
        body: LoginRequestSchema,
        response: { 200: TokenResponseSchema, ...problems(401, 403, 423) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      try {
        return await passwordLogin(auth, {
          login: request.body.login,
          password: request.body.password,
          clientId: DefaultClientId,
          ...requestMeta(request),
        });
      } catch (error) {
        throw error instanceof LoginRefused ? error.toAppError() : error;
      }
    },
  );
}
