import { type HttpApp, problems } from '@necp/platform';
import { Type } from 'typebox';
import type { AuthApp } from '../flows/auth-app.ts';
import { defaultClient } from '../flows/clients.ts';
import { LoginRefused } from '../flows/errors.ts';
import { grantTokens } from '../flows/grants.ts';
import { passwordLogin } from '../flows/login.ts';
import { revokeClientToken } from '../flows/revocation.ts';
import { oauthErrorHandler, requestMeta } from './oauth-http.ts';
import {
  AuthTag,
  LoginRequestSchema,
  oauthErrors,
  RevocationRequestSchema,
  TokenRequestSchema,
  TokenResponseSchema,
} from './schemas.ts';

/** OAuth2 clients post forms (RFC 6749 §4, RFC 7009 §2.1); JSON is accepted as well. */
const OAuthMediaTypes = ['application/x-www-form-urlencoded', 'application/json'];

/**
 * The OAuth endpoints, public (they are how a caller gets a token, and RFC 7009 revocation needs
 * none): the token endpoint, its JSON convenience `/login`, and revocation.
 */
export function tokenRoutes(app: HttpApp, auth: AuthApp): void {
  const errorHandler = oauthErrorHandler(auth);

  app.post(
    '/token',
    {
      config: { access: 'public' },
      schema: {
        tags: [AuthTag],
        summary: 'OAuth2 token endpoint: password (public clients), refresh_token and client_credentials grants',
        consumes: OAuthMediaTypes,
        body: TokenRequestSchema,
        response: { 200: TokenResponseSchema, ...oauthErrors(400, 401, 413, 415, 423) },
      },
      errorHandler,
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const meta = { authorization: request.headers.authorization, ...requestMeta(request, auth) };
      return grantTokens(auth, request.body, meta);
    },
  );

  app.post(
    '/revoke',
    {
      config: { access: 'public' },
      schema: {
        tags: [AuthTag],
        summary: 'RFC 7009 revocation of a refresh or access token, by the client it was issued to',
        consumes: OAuthMediaTypes,
        body: RevocationRequestSchema,
        response: { 200: Type.Object({}), ...oauthErrors(400, 401, 413, 415) },
      },
      errorHandler,
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const { token, token_type_hint, client_id, client_secret } = request.body;
      await revokeClientToken(auth, {
        token,
        tokenTypeHint: token_type_hint,
        authorization: request.headers.authorization,
        clientId: client_id,
        clientSecret: client_secret,
      });
      return {};
    },
  );

  app.post(
    '/login',
    {
      config: { access: 'public' },
      schema: {
        tags: [AuthTag],
        summary: "JSON convenience for the password grant, as the game's public client",
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
          clientId: defaultClient(auth).id,
          ...requestMeta(request, auth),
        });
      } catch (error) {
        throw error instanceof LoginRefused ? error.toAppError() : error;
      }
    },
  );
}
