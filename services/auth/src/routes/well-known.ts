import type { HttpApp } from '@necp/platform';
import { Type } from 'typebox';
import type { AuthApp } from '../flows/auth-app.ts';
import { AllowedSigningAlgs } from '../settings.ts';

const WellKnownTag = 'oidc';

export function wellKnownRoutes(app: HttpApp, auth: AuthApp): void {
  const issuer = auth.settings.issuer.replace(/\/$/, '');

  app.get(
    '/.well-known/openid-configuration',
    { schema: { tags: [WellKnownTag], summary: 'OIDC discovery', response: { 200: Type.Unknown() } } },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return {
        issuer: auth.settings.issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}/api/v1/auth/token`,
        revocation_endpoint: `${issuer}/api/v1/auth/revoke`,
        userinfo_endpoint: `${issuer}/api/v1/auth/me`,
        grant_types_supported: ['password', 'refresh_token', 'client_credentials'],
        response_types_supported: ['token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'none'],
        revocation_endpoint_auth_methods_supported: ['none'],
        id_token_signing_alg_values_supported: AllowedSigningAlgs,
        subject_types_supported: ['public'],
        scopes_supported: ['openid', 'profile', 'service'],
        claims_supported: [
          'sub',
          'iss',
          'aud',
          'exp',
          'iat',
          'nbf',
          'jti',
          'sid',
          'roles',
          'client_id',
          'scope',
          'preferred_username',
        ],
      };
    },
  );

  app.get(
    '/.well-known/jwks.json',
    { schema: { tags: [WellKnownTag], summary: 'Public signing keys', response: { 200: Type.Unknown() } } },
    async (_request, reply) => {
      // Short enough that a pre-published successor is seen well before it signs.
      reply.header('cache-control', 'public, max-age=60');
      return auth.keys.jwks();
    },
  );
}
