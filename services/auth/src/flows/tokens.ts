import { randomUUID } from 'node:crypto';
import type { AuthApp } from './auth-app.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  refresh_expires_in?: number;
  scope: string;
}

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
