import { ServiceRole } from '../domain/accounts.ts';
import type { OAuthClient } from '../domain/clients.ts';
import type { AuthApp } from './auth-app.ts';
import { issueAccessToken, type TokenResponse } from './tokens.ts';

const ServiceScope = 'service';

/** client_credentials for an authenticated service client: its own token, role `service`, no refresh token (RFC 6749 §4.4.3). */
export async function clientCredentialsGrant(app: AuthApp, client: OAuthClient): Promise<TokenResponse> {
  const access = await issueAccessToken(app, {
    sub: client.id,
    roles: [ServiceRole],
    clientId: client.id,
    scope: ServiceScope,
  });
  return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope: ServiceScope };
}
