import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Cache } from '../cache/cache.ts';
import type { PlatformConfig } from '../config.ts';
import { serviceUrl } from '../config.ts';
import type { HttpApp } from '../http/http-service.ts';
import { vouchedCallerOf } from '../http/in-process.ts';
import { AppError } from '../problem.ts';
import type { SqlDatabase } from '../sql/database.ts';
import { type AuthContext, TokenRejectedError } from './claims.ts';
import { createDenyList, type DenyList } from './deny-list.ts';
import { type EdgeVouch, EdgeVouchHeader, edgeVouchFor } from './edge-vouch.ts';
import { createTokenVerifier, IssuerUnavailableError, type TokenVerifier } from './verifier.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate` (or the gateway's hook) once the bearer token is verified. */
    auth: AuthContext | null;
  }
}

export interface Authenticator {
  readonly verifier: TokenVerifier;
  readonly denyList: DenyList;
  /** Verifies a bearer token and checks the deny-list; throws the API's 401/403/503 problems. */
  authenticateToken(token: string): Promise<AuthContext>;
  /** `authenticateToken` without the deny-list, for a caller that checks it with `assertNotDenied` later. */
  verifyToken(token: string): Promise<AuthContext>;
  /** 401 TOKEN_REVOKED or 403 ACCOUNT_BANNED when the deny-list names the caller's session or account. */
  assertNotDenied(auth: AuthContext): Promise<void>;
  /** preHandler: requires a valid bearer token and sets `request.auth`. */
  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** preHandler (after `authenticate`): 403 FORBIDDEN unless the caller has one of `roles`. */
  requireRole(...roles: string[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

const challenge = (error?: string) => ({
  'www-authenticate': error ? `Bearer realm="necp", error="${error}"` : 'Bearer realm="necp"',
});

/** The bearer token of `Authorization`, or undefined when the header is absent or another scheme. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return bearerTokenIn(request.headers.authorization);
}

/** `bearerToken` of an `Authorization` header's value. */
export function bearerTokenIn(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  return match?.[1];
}

function toAppError(error: unknown): unknown {
  if (error instanceof IssuerUnavailableError) {
    return new AppError('SERVICE_UNAVAILABLE', 'The token issuer cannot be reached to verify the token');
  }
  if (!(error instanceof TokenRejectedError)) return error;
  switch (error.reason) {
    case 'expired':
      return new AppError('TOKEN_EXPIRED', 'The access token has expired', { headers: challenge('invalid_token') });
    case 'revoked':
      return new AppError('TOKEN_REVOKED', 'The session of this token was ended', {
        headers: challenge('invalid_token'),
      });
    case 'banned':
      return new AppError('ACCOUNT_BANNED', 'The account is banned');
    default:
      return new AppError('UNAUTHENTICATED', `The access token is not valid: ${error.message}`, {
        headers: challenge('invalid_token'),
      });
  }
}

/** The caller's identity inside a route that ran `authenticate`. */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new AppError('UNAUTHENTICATED', 'A bearer token is required', { headers: challenge() });
  return request.auth;
}

export function hasAnyRole(auth: AuthContext, roles: readonly string[]): boolean {
  return roles.some((role) => auth.roles.includes(role));
}

/**
 * `edgeVouch`: the gateway's signature over a caller it checked (auth/edge-vouch.ts); a request
 * carrying a good one has its token verified (signature and claims, from memory when seen before)
 * but not checked against the deny-list a second time.
 */
export function createAuthenticator(verifier: TokenVerifier, denyList: DenyList, edgeVouch?: EdgeVouch): Authenticator {
  const verifyToken = async (token: string): Promise<AuthContext> => {
    try {
      return await verifier.verify(token);
    } catch (error) {
      throw toAppError(error);
    }
  };
  // One promise per request (the check's own), not an async function's besides: it runs on every proxied call.
  const assertNotDenied = (auth: AuthContext): Promise<void> =>
    denyList.check(auth).then(
      (denied) => {
        if (denied) {
          throw toAppError(
            new TokenRejectedError(denied, `the ${denied === 'banned' ? 'account' : 'session'} is denied`),
          );
        }
      },
      () => {
        // A cache or database that cannot answer: the token may be denied, so it is not accepted.
        throw new AppError('SERVICE_UNAVAILABLE', 'The deny-list cannot be read to check the token');
      },
    );
  const authenticateToken = async (token: string): Promise<AuthContext> => {
    const auth = await verifyToken(token);
    await assertNotDenied(auth);
    return auth;
  };
  return {
    verifier,
    denyList,
    authenticateToken,
    verifyToken,
    assertNotDenied,
    async authenticate(request) {
      const token = bearerToken(request);
      if (!token) throw new AppError('UNAUTHENTICATED', 'A bearer token is required', { headers: challenge() });
      const vouchedByEdge = edgeVouch?.holds(request.headers[EdgeVouchHeader], token) ?? false;
      request.auth =
        vouchedCallerOf(request.raw, token) ??
        (vouchedByEdge ? await verifyToken(token) : await authenticateToken(token));
    },
    requireRole(...roles) {
      return async (request) => {
        const auth = authOf(request);
        if (!hasAnyRole(auth, roles)) {
          throw new AppError('FORBIDDEN', `This requires one of the roles: ${roles.join(', ')}`);
        }
      };
    },
  };
}

/** What an authenticator is built from: a service's context has the first two, a runtime all. */
export interface AuthDependencies {
  config: PlatformConfig;
  cache: Cache;
  /**
   * The process's database, when it has one (`Runtime.existingDatabase`): where the deny-list loads
   * ended sessions and bans from when its cache lost them (`mvp_meta.denied_identities`).
   */
  existingDatabase?(): Promise<SqlDatabase | undefined>;
  logger?: Logger;
}

export function denyListFor(deps: AuthDependencies): DenyList {
  const existing = deps.existingDatabase?.bind(deps);
  return createDenyList(deps.cache, {
    entryTtlMs: deps.config.AUTH_ACCESS_TOKEN_TTL_SECONDS * 1000,
    ...(existing ? { database: async () => (await existing())?.kysely } : {}),
    onRefreshError: (error) =>
      deps.logger?.warn({ err: error }, 'loading the deny-list from the database failed; the cache answers meanwhile'),
  });
}

/**
 * The issuer this deployment trusts: `OIDC_ISSUER` through its discovery document (Keycloak or any
 * OIDC issuer), otherwise auth-service, whose keys are read from AUTH_URL directly so verification
 * does not depend on the gateway being up.
 */
export function verifierFor(config: PlatformConfig): TokenVerifier {
  if (config.OIDC_ISSUER) {
    return createTokenVerifier({
      issuer: config.OIDC_ISSUER,
      audience: config.OIDC_AUDIENCE,
      keys: { kind: 'discovery' },
    });
  }
  return createTokenVerifier({
    issuer: config.AUTH_ISSUER_URL,
    audience: config.OIDC_AUDIENCE,
    keys: { kind: 'jwks', url: `${serviceUrl(config, 'auth')}/.well-known/jwks.json` },
  });
}

const shared = new WeakMap<PlatformConfig, WeakMap<Cache, Authenticator>>();

/** One authenticator per configuration and cache, so services in one process share the key cache. */
export function authenticatorFor(deps: AuthDependencies): Authenticator {
  let byCache = shared.get(deps.config);
  if (!byCache) {
    byCache = new WeakMap();
    shared.set(deps.config, byCache);
  }
  let authenticator = byCache.get(deps.cache);
  if (!authenticator) {
    authenticator = createAuthenticator(verifierFor(deps.config), denyListFor(deps), edgeVouchFor(deps.config));
    byCache.set(deps.cache, authenticator);
  }
  return authenticator;
}

/**
 * What the edge runs for every request, from its own hooks (the gateway's): every request not
 * public must carry a valid bearer token before anything else runs (`identify` belongs in
 * `onRequest`, so a refused request's body is never read); public requests still get `request.auth`
 * when they carry a valid token. `checkDenied` (preHandler) checks the deny-list for a caller that
 * `identify` verified without it, so that its round trip to the cache shares a turn with the edge's
 * other work there; it answers undefined when there is nothing to check.
 */
export interface EdgeAuthentication {
  identify(request: FastifyRequest, isPublic: boolean): Promise<void>;
  checkDenied(request: FastifyRequest): Promise<void> | undefined;
}

export function edgeAuthentication(app: HttpApp, authenticator: Authenticator): EdgeAuthentication {
  if (!app.hasRequestDecorator('auth')) app.decorateRequest('auth', null);
  const denyListChecked = new WeakSet<FastifyRequest>();
  return {
    async identify(request, isPublic) {
      const token = bearerToken(request);
      if (isPublic) {
        if (token) request.auth = await authenticator.authenticateToken(token).catch(() => null);
        if (request.auth) denyListChecked.add(request);
        return;
      }
      if (!token) throw new AppError('UNAUTHENTICATED', 'A bearer token is required', { headers: challenge() });
      request.auth = await authenticator.verifyToken(token);
    },
    checkDenied(request) {
      const auth = request.auth;
      return auth && !denyListChecked.has(request) ? authenticator.assertNotDenied(auth) : undefined;
    },
  };
}
