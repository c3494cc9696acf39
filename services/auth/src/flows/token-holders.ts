import { hashToken } from '../domain/secrets.ts';
import { findSession, findSessionOfRefreshToken } from '../store/sessions.ts';
import type { AuthApp } from './auth-app.ts';

/** Whom a token was issued to: the client, and the session (none for a client's own token). */
export interface TokenHolder {
  clientId: string | undefined;
  sessionId: string | undefined;
}

/** A refresh token's session and client; undefined for a token this issuer never gave out. */
export async function refreshTokenHolder(app: AuthApp, token: string): Promise<TokenHolder | undefined> {
  const owner = await findSessionOfRefreshToken(app.db, hashToken(token));
  const session = owner ? await findSession(app.db, owner.id) : undefined;
  return session ? { clientId: session.clientId, sessionId: session.id } : undefined;
}

/** An access token's client and session, if this issuer signed it and it has not expired. */
async function accessTokenHolder(app: AuthApp, token: string): Promise<TokenHolder | undefined> {
  if (token.split('.').length !== 3) return undefined;
  const verified = await app.authenticator.verifier.verify(token).catch(() => undefined);
  return verified ? { clientId: verified.clientId, sessionId: verified.sessionId } : undefined;
}

/** A refresh or access token's holder, looked up as the hint says first (RFC 7009 §2.1), then the other way. */
export async function tokenHolder(app: AuthApp, token: string, hint: string | undefined) {
  const lookups =
    hint === 'access_token' ? [accessTokenHolder, refreshTokenHolder] : [refreshTokenHolder, accessTokenHolder];
  for (const lookup of lookups) {
    const holder = await lookup(app, token);
    if (holder) return holder;
  }
  return undefined;
}
