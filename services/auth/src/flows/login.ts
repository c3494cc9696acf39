import { randomUUID } from 'node:crypto';
import { isBanned } from '../domain/accounts.ts';
import { afterFailure, lockoutSubject } from '../domain/lockout.ts';
import { newRefreshToken } from '../domain/secrets.ts';
import { type Account, findAccountByLogin } from '../store/accounts.ts';
import { createSession, insertRefreshToken } from '../store/sessions.ts';
import type { AuthApp } from './auth-app.ts';
import { LoginRefused } from './errors.ts';
import { DefaultScope, issueAccessToken, type TokenResponse } from './tokens.ts';

export interface LoginRequest {
  login: string;
  password: string;
  clientId: string;
  userAgent: string | null;
  ip: string | null;
}

const failuresKey = (subject: string) => `auth:login-failures:${subject}`;
const lockKey = (subject: string) => `auth:login-lock:${subject}`;

/** Checks the password under the lockout rule; resolves with the account or throws LoginRefused. */
async function checkCredentials(app: AuthApp, login: string, password: string): Promise<Account> {
  const account = await findAccountByLogin(app.db, login);
  const subject = lockoutSubject(account?.id, login);
  const lockedUntil = await app.cache.get(lockKey(subject));
  if (lockedUntil) throw new LoginRefused('locked', new Date(lockedUntil));

  const valid = account ? await app.passwords.verify(account.passwordHash, password) : false;
  if (!account) await app.passwords.burn(password);
  if (!valid || !account) {
    const lockoutMs = app.settings.lockoutSeconds * 1000;
    const failures = (await app.cache.increment(failuresKey(subject), 1, lockoutMs)).value;
    const outcome = afterFailure(failures, { threshold: app.settings.lockoutThreshold, lockoutMs }, new Date());
    if (outcome.lockedUntil) {
      await app.cache.set(lockKey(subject), outcome.lockedUntil.toISOString(), lockoutMs);
      await app.cache.delete(failuresKey(subject));
      throw new LoginRefused('locked', outcome.lockedUntil);
    }
    throw new LoginRefused('invalid');
  }
  await app.cache.delete(failuresKey(subject));
  // Checked after the password, so a ban is only revealed to someone who knows it.
  if (isBanned(account, new Date())) throw new LoginRefused('banned', account.bannedUntil);
  return account;
}

/** The password grant: a new session (refresh-token family) and its first tokens. */
export async function passwordLogin(app: AuthApp, request: LoginRequest): Promise<TokenResponse> {
  const account = await checkCredentials(app, request.login, request.password);
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
  const access = await issueAccessToken(app, {
    sub: account.id,
    roles: account.roles,
    sessionId,
    clientId: request.clientId,
    username: account.username,
    scope: DefaultScope,
  });
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    refresh_token: refresh.token,
    refresh_expires_in: app.settings.refreshTokenTtlSeconds,
    scope: DefaultScope,
  };
}
