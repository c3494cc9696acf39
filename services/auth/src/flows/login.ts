import { randomUUID } from 'node:crypto';
import { isBanned } from '../domain/accounts.ts';
import { newRefreshToken } from '../domain/secrets.ts';
import { type Account, findAccountByLogin } from '../store/accounts.ts';
import { createSession, insertRefreshToken } from '../store/sessions.ts';
import type { AuthApp } from './auth-app.ts';
import { LoginRefused } from './errors.ts';
import { assertNotLocked, forgetFailures, lockoutKeys, recordFailure } from './lockout.ts';
import { DefaultScope, issueAccessToken, issueIdToken, type TokenResponse } from './tokens.ts';

export interface LoginRequest {
  login: string;
  password: string;
  clientId: string;
  userAgent: string | null;
  ip: string | null;
}

/**
 * Checks the password under the lockout rule; resolves with the account or throws LoginRefused.
 * Failures count per login and source, so guessing from one address never locks the owner out of
 * the account from another; an unknown name counts exactly as an account does.
 */
async function checkCredentials(app: AuthApp, request: LoginRequest): Promise<Account> {
  const now = new Date();
  const account = await findAccountByLogin(app.db, request.login);
  const keys = await lockoutKeys(app, account?.id, request.login, request.ip);
  await assertNotLocked(app, keys, now);

  const valid = account ? await app.passwords.verify(account.passwordHash, request.password) : false;
  if (!account) await app.passwords.burn(request.password);
  if (!valid || !account) throw await recordFailure(app, keys, now);
  await forgetFailures(app, keys);
  // Checked after the password, so a ban is only revealed to someone who knows it.
  if (isBanned(account, now)) throw new LoginRefused('banned', account.bannedUntil);
  return account;
}

/** The password grant: a new session (refresh-token family) and its first tokens. */
export async function passwordLogin(app: AuthApp, request: LoginRequest): Promise<TokenResponse> {
  const account = await checkCredentials(app, request);
  const now = new Date();
  const sessionId = randomUUID();
  const refresh = newRefreshToken();
  const refreshExpiresAt = new Date(now.getTime() + app.settings.refreshTokenTtlSeconds * 1000);
  await app.db.transaction().execute(async (trx) => {
    await createSession(trx, {
      id: sessionId,
      accountId: account.id,
      clientId: request.clientId,
      userAgent: request.userAgent,
      ip: request.ip,
      createdAt: now,
      expiresAt: refreshExpiresAt,
    });
    await insertRefreshToken(trx, { hash: refresh.hash, sessionId, expiresAt: refreshExpiresAt });
  });
  const subject = { sub: account.id, sessionId, clientId: request.clientId, username: account.username };
  const access = await issueAccessToken(app, { ...subject, roles: account.roles, scope: DefaultScope });
  // `openid` is always granted to a player's session: its ID token says who signed in, for the client.
  const idToken = await issueIdToken(app, { ...subject, authTime: now });
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    refresh_token: refresh.token,
    refresh_expires_in: app.settings.refreshTokenTtlSeconds,
    scope: DefaultScope,
    id_token: idToken,
  };
}
