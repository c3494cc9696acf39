import type { AuthApp } from './auth-app.ts';
import { DefaultClientId } from './auth-app.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { OAuthError } from './errors.ts';
import { passwordLogin } from './login.ts';
import { refreshGrant } from './refresh.ts';
import type { TokenResponse } from './tokens.ts';

/** A token endpoint request (RFC 6749 §4), form or JSON. */
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
  /** RFC 6749 §2.3.1: the client's id and secret from `Authorization: Basic`, read for client_credentials only. */
  basicCredentials(): { id: string; secret: string } | undefined;
  userAgent: string | null;
  ip: string | null;
}

function clientOf(app: AuthApp, request: TokenRequest): string {
  const clientId = request.client_id ?? DefaultClientId;
  if (clientId !== DefaultClientId && !app.clients.has(clientId)) {
    throw new OAuthError('invalid_client', 'Unknown client');
  }
  return clientId;
}

/** The token endpoint: the password, refresh_token and client_credentials grants. */
export async function grantTokens(app: AuthApp, request: TokenRequest, meta: TokenRequestMeta): Promise<TokenResponse> {
  switch (request.grant_type) {
    case 'password': {
      if (!request.username || !request.password) {
        throw new OAuthError('invalid_request', 'username and password are required');
      }
      const clientId = clientOf(app, request);
      return passwordLogin(app, {
        login: request.username,
        password: request.password,
        clientId,
        userAgent: meta.userAgent,
        ip: meta.ip,
      });
    }
    case 'refresh_token':
      if (!request.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required');
      return refreshGrant(app, request.refresh_token);
    case 'client_credentials': {
      const basic = meta.basicCredentials();
      const id = basic?.id ?? request.client_id;
      const secret = basic?.secret ?? request.client_secret;
      if (!id || !secret) throw new OAuthError('invalid_client', 'Client authentication is required');
      return clientCredentialsGrant(app, id, secret);
    }
    default:
      throw new OAuthError('unsupported_grant_type', `grant_type ${request.grant_type} is not supported`);
  }
}
