import { ServiceRole } from '../domain/accounts.ts';
import { sameSecret } from '../domain/secrets.ts';
import type { AuthApp } from './auth-app.ts';
import { OAuthError } from './errors.ts';
import { issueAccessToken, type TokenResponse } from './tokens.ts';

const ServiceScope = 'service';

/** client_credentials: a service's own token, role `service`, no refresh token (RFC 6749 §4.4.3). */
export async function clientCredentialsGrant(app: AuthApp, clientId: string, secret: string): Promise<TokenResponse> {
  const expected = app.clients.get(clientId);
  // Compared even for unknown clients, so timing does not tell which client ids exist.
  const valid = sameSecret(expected ?? '', secret) && expected !== undefined;
  if (!valid) throw new OAuthError('invalid_client', 'Client authentication failed');
  const access = await issueAccessToken(app, { sub: clientId, roles: [ServiceRole], clientId, scope: ServiceScope });
  return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope: ServiceScope };
}
