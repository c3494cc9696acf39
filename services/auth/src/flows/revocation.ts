import { mayUseTokenOf } from '../domain/clients.ts';
import type { AuthApp } from './auth-app.ts';
import { type ClientAuthentication, identifyClient, registeredClient } from './clients.ts';
import { OAuthError } from './errors.ts';
import { endSessions } from './sessions.ts';
import { tokenHolder } from './token-holders.ts';

/** An RFC 7009 revocation request: the token, its optional type hint, and how the client names itself. */
export interface RevocationRequest extends ClientAuthentication {
  token: string;
  tokenTypeHint: string | undefined;
}

/**
 * RFC 7009: ends the session of a refresh or access token, for the client it was issued to (a
 * public client naming itself by `client_id`, or by nothing; a confidential one with its secret).
 * A token this issuer does not know, or that has expired, is answered like a revoked one (§2.2).
 * A client's own access token has no session to end: it is not revocable, it expires.
 */
export async function revokeClientToken(app: AuthApp, request: RevocationRequest): Promise<void> {
  const requester = identifyClient(app, request);
  const holder = await tokenHolder(app, request.token, request.tokenTypeHint);
  if (!holder) return;
  const issuedTo = holder.clientId === undefined ? undefined : registeredClient(app, holder.clientId);
  if (!mayUseTokenOf(requester, issuedTo)) {
    throw new OAuthError('unauthorized_client', 'The token was not issued to this client');
  }
  if (!holder.sessionId) {
    throw new OAuthError('unsupported_token_type', "A client's own access tokens cannot be revoked: they expire");
  }
  await endSessions(app, { sessionId: holder.sessionId }, 'revoked');
}
