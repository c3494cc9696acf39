import formbody from '@fastify/formbody';
import { AppError, type HttpApp, ProblemSchema, sendProblem } from '@necp/platform';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthApp } from '../flows/auth-app.ts';
import { DefaultClientId } from '../flows/auth-app.ts';
import { clientCredentialsGrant } from '../flows/client-credentials.ts';
import { LoginRefused, OAuthError } from '../flows/errors.ts';
import { passwordLogin } from '../flows/login.ts';
import { refreshGrant } from '../flows/refresh.ts';
import { AuthTag, LoginRequestSchema, OAuthErrorSchema, TokenRequestSchema, TokenResponseSchema } from './schemas.ts';

type TokenRequest = {
  grant_type: string;
  username?: string;
  password?: string;
  refresh_token?: string;
  client_id?: string;
  client_secret?: string;
};

/** RFC 6749 §2.3.1: `Authorization: Basic` with form-urlencoded id and secret. */
function basicCredentials(request: FastifyRequest): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

function clientOf(auth: AuthApp, body: TokenRequest): string {
  const clientId = body.client_id ?? DefaultClientId;
  if (clientId !== DefaultClientId && !auth.clients.has(clientId)) {
    throw new OAuthError('invalid_client', 'Unknown client');
  }
  return clientId;
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

export async function tokenRoutes(app: HttpApp, auth: AuthApp): Promise<void> {
  // OAuth2 clients post forms (RFC 6749 §4); registered here only, the rest of the API is JSON.
  await app.register(formbody);

  app.post(
    '/api/v1/auth/token',
    {
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
      const body = request.body as TokenRequest;
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      switch (body.grant_type) {
        case 'password': {
          if (!body.username || !body.password) {
            throw new OAuthError('invalid_request', 'username and password are required');
          }
          const clientId = clientOf(auth, body);
          return passwordLogin(auth, {
            login: body.username,
            password: body.password,
            clientId,
            ...requestMeta(request),
          });
        }
        case 'refresh_token':
          if (!body.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required');
          return refreshGrant(auth, body.refresh_token);
        case 'client_credentials': {
          const basic = basicCredentials(request);
          const id = basic?.id ?? body.client_id;
          const secret = basic?.secret ?? body.client_secret;
          if (!id || !secret) throw new OAuthError('invalid_client', 'Client authentication is required');
          return clientCredentialsGrant(auth, id, secret);
        }
        default:
          throw new OAuthError('unsupported_grant_type', `grant_type ${body.grant_type} is not supported`);
      }
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: [AuthTag],
        summary: 'JSON convenience for the password grant',
        body: LoginRequestSchema,
        response: { 200: TokenResponseSchema, 401: ProblemSchema, 403: ProblemSchema, 423: ProblemSchema },
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
