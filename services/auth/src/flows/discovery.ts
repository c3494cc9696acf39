import { ClientAuthMethods, GrantTypes } from '../domain/clients.ts';
import type { AuthApp } from './auth-app.ts';

/** The endpoints of this issuer, under its URL. */
export function issuerEndpoints(issuer: string) {
  const base = issuer.replace(/\/$/, '');
  return {
    jwks_uri: `${base}/.well-known/jwks.json`,
    token_endpoint: `${base}/api/v1/auth/token`,
    revocation_endpoint: `${base}/api/v1/auth/revoke`,
    userinfo_endpoint: `${base}/api/v1/auth/userinfo`,
  };
}

/**
 * RFC 8414 authorization server metadata, which is also the OpenID Connect Discovery 1.0 document:
 * what this issuer serves and nothing more. It has no authorization endpoint, so nothing that
 * depends on one (response types and modes, PKCE); ID tokens are signed with the algorithms of its
 * keys.
 */
export function discoveryDocument(app: AuthApp) {
  const keyAlgs = app.keys.jwks().keys.map((key) => key.alg);
  return {
    issuer: app.settings.issuer,
    ...issuerEndpoints(app.settings.issuer),
    grant_types_supported: [...GrantTypes],
    token_endpoint_auth_methods_supported: [...ClientAuthMethods],
    revocation_endpoint_auth_methods_supported: [...ClientAuthMethods],
    scopes_supported: ['openid', 'profile', 'service'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set([app.settings.signingAlg, ...keyAlgs])].filter(
      (alg): alg is string => typeof alg === 'string',
    ),
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'sid', 'preferred_username', 'roles'],
  };
}
