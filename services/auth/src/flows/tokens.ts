import { randomUUID } from 'node:crypto';
import type { AuthApp } from './auth-app.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  refresh_expires_in?: number;
  scope: string;
  /** OpenID Connect: issued with a player's session, whose scope always holds `openid`. */
  id_token?: string;
}

/** What a player's session is granted; `openid` brings the ID token, `profile` its name claims. */
export const DefaultScope = 'openid profile';

/** Signs an access token for `subject` with the settings' lifetime and audience. */
export async function issueAccessToken(
  app: AuthApp,
  subject: { sub: string; roles: string[]; sessionId?: string; clientId: string; username?: string; scope: string },
): Promise<{ token: string; expiresIn: number }> {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = app.settings.accessTokenTtlSeconds;
  const token = await app.keys.signAccessToken({
    iss: app.settings.issuer,
    aud: app.settings.audience,
    sub: subject.sub,
    iat: now,
    nbf: now,
    exp: now + expiresIn,
    jti: randomUUID(),
    client_id: subject.clientId,
    scope: subject.scope,
    roles: subject.roles,
    ...(subject.sessionId ? { sid: subject.sessionId } : {}),
    ...(subject.username ? { preferred_username: subject.username } : {}),
  });
  return { token, expiresIn };
}

/**
 * An OpenID Connect ID token (Core §2): who signed in, for the client (`aud`), not for the API. It
 * has no access-token type, so no verifier of the API accepts it as a bearer token.
 */
export async function issueIdToken(
  app: AuthApp,
  subject: { sub: string; sessionId: string; clientId: string; username: string; authTime: Date },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return app.keys.signIdToken({
    iss: app.settings.issuer,
    sub: subject.sub,
    aud: subject.clientId,
    iat: now,
    exp: now + app.settings.accessTokenTtlSeconds,
    auth_time: Math.floor(subject.authTime.getTime() / 1000),
    sid: subject.sessionId,
    preferred_username: subject.username,
  });
}
