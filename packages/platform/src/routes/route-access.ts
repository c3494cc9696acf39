import type { RouteOptions } from 'fastify';
import { type Authenticator, hasAnyRole } from '../auth/http-auth.ts';
import type { HttpApp } from '../http/http-service.ts';
import { AppError, ProblemSchema } from '../problem.ts';

/**
 * Who may call a route, declared in its options as `config: { access }`:
 * - `'public'`: anyone, no token read;
 * - `'caller'` (the default): a valid, non-revoked access token;
 * - `{ roles }`: such a token with one of `roles`.
 */
export type RouteAccess = 'public' | 'caller' | { roles: readonly string[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

const bearerSecurity = [{ bearer: [] }];

/**
 * The OpenAPI side of the access level: the bearer scheme and the answers it can give, 401 (no
 * valid token, a revoked one) and 403 (a banned account; a role the caller lacks). The document
 * shows them as problem+json (`documentedSchema`).
 */
function documentAccess(route: RouteOptions, access: RouteAccess): void {
  if (access === 'public' || !route.schema) return;
  route.schema.security ??= bearerSecurity;
  route.schema.response ??= {};
  const response = route.schema.response as Record<string, unknown>;
  response[401] ??= ProblemSchema;
  response[403] ??= ProblemSchema;
}

/**
 * One order of checks for every route of every service, before the body is read: the token (401),
 * the deny-list (401 TOKEN_REVOKED, 403 ACCOUNT_BANNED), the route's roles (403 FORBIDDEN); then the
 * request's shape (400), then the handler's own checks (the character's owner, the resource).
 * Registered inside a route group, it covers that group's routes only.
 */
export function useRouteAccess(app: HttpApp, authenticator: Authenticator, defaultAccess: RouteAccess): void {
  app.addHook('onRoute', (route) => documentAccess(route, route.config?.access ?? defaultAccess));
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access ?? defaultAccess;
    if (access === 'public') return;
    await authenticator.authenticate(request, reply);
    if (access !== 'caller' && request.auth && !hasAnyRole(request.auth, access.roles)) {
      throw new AppError('FORBIDDEN', `This requires one of the roles: ${access.roles.join(', ')}`);
    }
  });
}
