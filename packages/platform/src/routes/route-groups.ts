import type { Authenticator } from '../auth/http-auth.ts';
import type { HttpApp } from '../http/http-service.ts';
import type { RouteGroup } from '../service/definition.ts';
import { useRouteAccess } from './route-access.ts';

/**
 * Each group is a Fastify plugin under its prefix (encapsulation: its hooks cover its routes only),
 * with the one access check of `useRouteAccess`.
 */
export async function registerRouteGroups(
  app: HttpApp,
  groups: readonly RouteGroup<undefined>[],
  authenticator: Authenticator,
): Promise<void> {
  if (!app.hasRequestDecorator('auth')) app.decorateRequest('auth', null);
  for (const group of groups) {
    await app.register(
      async (scope: HttpApp) => {
        useRouteAccess(scope, authenticator, group.defaultAccess ?? 'caller');
        await group.routes(scope, undefined);
      },
      { prefix: group.prefix },
    );
  }
}
