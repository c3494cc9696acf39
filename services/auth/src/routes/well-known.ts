import type { HttpApp } from '@necp/platform';
import { Type } from 'typebox';
import type { AuthApp } from '../flows/auth-app.ts';
import { discoveryDocument } from '../flows/discovery.ts';

const WellKnownTag = 'oidc';

/** Under `/.well-known`, public: the issuer's metadata (OIDC Discovery and RFC 8414 alike) and the JWKS. */
export function wellKnownRoutes(app: HttpApp, auth: AuthApp): void {
  for (const [path, summary] of [
    ['/openid-configuration', 'OpenID Connect Discovery 1.0'],
    ['/oauth-authorization-server', 'OAuth 2.0 Authorization Server Metadata (RFC 8414)'],
  ] as const) {
    app.get(
      path,
      {
        config: { access: 'public' },
        schema: { tags: [WellKnownTag], summary, response: { 200: Type.Unknown() } },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return discoveryDocument(auth);
      },
    );
  }

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
