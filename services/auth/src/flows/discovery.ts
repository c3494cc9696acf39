import { SigningAlgs } from '../domain/keys.ts';
import type { AuthApp } from './auth-app.ts';

/** OpenID Connect Discovery 1.0 §3: where clients find this issuer's endpoints and keys. */
export function discoveryDocument(app: AuthApp) {
  const issuer = app.settings.issuer.replace(/\/$/, '');
  return {
    issuer: app.settings.issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}/api/v1/auth/token`,
    revocation_endpoint: `${issuer}/api/v1/auth/revoke`,
    userinfo_endpoint: `${issuer}/api/v1/auth/me`,
    grant_types_supported: ['password', 'refresh_token', 'client_credentials'],
    response_types_supported: ['token'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    id_token_signing_alg_values_supported: [...SigningAlgs],
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
}
