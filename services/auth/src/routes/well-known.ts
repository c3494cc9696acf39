import type { HttpApp } from '@necp/platform';
import { Type } from 'typebox';
import type { AuthApp } from '../flows/auth-app.ts';
import { discoveryDocument } from '../flows/discovery.ts';

const WellKnownTag = 'oidc';

/** Under `/.well-known`, public: OIDC discovery and the JWKS. */
export function wellKnownRoutes(app: HttpApp, auth: AuthApp): void {
  app.get(
    '/openid-configuration',
    {
      config: { access: 'public' },
      schema: { tags: [WellKnownTag], summary: 'OIDC discovery', response: { 200: Type.Unknown() } },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return discoveryDocument(auth);
    },
  );

  app.get(
    '/jwks.json',
    {
      config: { access: 'public' },
      schema: { tags: [WellKnownTag], summary: 'Public signing keys', response: { 200: Type.Unknown() } },
    },
    async (_request, reply) => {
      // Short enough that a pre-published successor is seen well before it signs.
      reply.header('cache-control', 'public, max-age=60');
      return auth.keys.jwks();
    },
  );
}
