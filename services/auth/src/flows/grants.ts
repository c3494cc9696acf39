import { isGrantType, mayUseTokenOf, type Requester } from '../domain/clients.ts';
import type { AuthApp } from './auth-app.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { clientForGrant, identifyClient, registeredClient } from './clients.ts';
import { OAuthError } from './errors.ts';
import { passwordLogin } from './login.ts';
import { refreshGrant } from './refresh.ts';
import { refreshTokenHolder } from './token-holders.ts';
import type { TokenResponse } from './tokens.ts';

/** A token endpoint request (RFC 6749 §4), form or JSON; other parameters are ignored (§3.2). */
export interface TokenRequest {
  grant_type: string;
  username?: string;
  password?: string;
  refresh_token?: string;
  client_id?: string;
  client_secret?: string;
}

/** What the request carries besides its body. */
export interface TokenRequestMeta {
  /** The Authorization header: client_secret_basic (RFC 6749 §2.3.1). */
  authorization: string | undefined;
  userAgent: string | null;
  /** The caller's address (through the trusted proxies). */
  ip: string | null;
}

/** RFC 6749 §6: a refresh token is used by the client it was issued to, and by no other. */
async function assertRefreshTokenOf(app: AuthApp, requester: Requester, refreshToken: string): Promise<void> {
  const holder = await refreshTokenHolder(app, refreshToken);
  // An unknown token is the refresh grant's own refusal.
  if (!holder) return;
  const issuedTo = holder.clientId === undefined ? undefined : registeredClient(app, holder.clientId);
  if (!mayUseTokenOf(requester, issuedTo)) {
    throw new OAuthError('invalid_grant', 'The refresh token was not issued to this client');
  }
}

/**
 * The token endpoint: the client first (a confidential one proves itself on every request that
 * names it), then the grant, which the client must be registered for.
 */
export async function grantTokens(app: AuthApp, request: TokenRequest, meta: TokenRequestMeta): Promise<TokenResponse> {
  const requester = identifyClient(app, {
    authorization: meta.authorization,
    clientId: request.client_id,
    clientSecret: request.client_secret,
  });
  const grant = request.grant_type;
  if (!isGrantType(grant)) throw new OAuthError('unsupported_grant_type', `grant_type ${grant} is not supported`);
  const client = clientForGrant(app, requester, grant);
  switch (grant) {
    case 'password':
      if (!request.username || !request.password) {
        throw new OAuthError('invalid_request', 'username and password are required');
      }
      return passwordLogin(app, {
        login: request.username,
        password: request.password,
        clientId: client.id,
        userAgent: meta.userAgent,
        ip: meta.ip,
      });
    case 'refresh_token':
      if (!request.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required');
      await assertRefreshTokenOf(app, requester, request.refresh_token);
      return refreshGrant(app, request.refresh_token);
    case 'client_credentials':
      return clientCredentialsGrant(app, client);
  }
}
