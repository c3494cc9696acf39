import { isBanned } from '../domain/accounts.ts';
import { reuseOf, successorOf } from '../domain/refresh-reuse.ts';
import { hashToken } from '../domain/secrets.ts';
import { findAccount } from '../store/accounts.ts';
import {
  extendSession,
  findSession,
  insertRefreshToken,
  lockRefreshToken,
  markRefreshTokenUsed,
} from '../store/sessions.ts';
import type { AuthApp } from './auth-app.ts';
import { OAuthError } from './errors.ts';
import { denySessions, revokeAndAnnounce } from './sessions.ts';
import { DefaultScope, issueAccessToken, type TokenResponse } from './tokens.ts';

type Outcome =
  | {
      kind: 'rotated';
      accountId: string;
      roles: string[];
      username: string;
      sessionId: string;
      clientId: string;
      refresh: string;
    }
  | { kind: 'reused'; revoked: string[] }
  | { kind: 'invalid'; why: string };

/**
 * The refresh_token grant. Every use rotates the token. The same token presented again within the
 * grace window (AUTH_REFRESH_REUSE_GRACE_SECONDS) is a client retrying: it gets the same successor
 * (derived from the token, see `successorOf`) and an access token of the same session. Presented
 * after the window it means the token leaked, so the whole family, i.e. the session, is revoked.
 */
export async function refreshGrant(app: AuthApp, refreshToken: string): Promise<TokenResponse> {
  const now = new Date();
  // Decisions are returned, not thrown, so the reuse revocation commits before the refusal.
  const outcome = await app.db.transaction().execute(async (trx): Promise<Outcome> => {
    // Locked: concurrent uses of one token are decided one after the other.
    const record = await lockRefreshToken(trx, hashToken(refreshToken));
    if (!record) return { kind: 'invalid', why: 'unknown refresh token' };
    const retry =
      record.usedAt !== null && reuseOf(record.usedAt, now, app.settings.refreshReuseGraceSeconds) === 'retry';
    if (record.usedAt && !retry) {
      return {
        kind: 'reused',
        revoked: await revokeAndAnnounce(app, trx, { sessionId: record.sessionId }, 'refresh token reuse'),
      };
    }
    const session = await findSession(trx, record.sessionId);
    if (!session || session.revokedAt) return { kind: 'invalid', why: 'the session was ended' };
    if (record.expiresAt <= now || session.expiresAt <= now)
      return { kind: 'invalid', why: 'the refresh token expired' };
    const account = await findAccount(trx, session.accountId);
    if (!account || isBanned(account, now)) return { kind: 'invalid', why: 'the account cannot sign in' };
    const next = successorOf(app.refreshSuccessorKey, refreshToken);
    if (!retry) {
      const expiresAt = new Date(now.getTime() + app.settings.refreshTokenTtlSeconds * 1000);
      await markRefreshTokenUsed(trx, record.hash, now);
      await insertRefreshToken(trx, { hash: next.hash, sessionId: session.id, expiresAt });
      await extendSession(trx, session.id, expiresAt, now);
    }
    return {
      kind: 'rotated',
      accountId: account.id,
      roles: account.roles,
      username: account.username,
      sessionId: session.id,
      clientId: session.clientId,
      refresh: next.token,
    };
  });
  if (outcome.kind === 'reused') {
    await denySessions(app, outcome.revoked);
    app.logger.warn({ sessions: outcome.revoked }, 'refresh token reused: session revoked');
    throw new OAuthError('invalid_grant', 'The refresh token was already used; its session has been revoked');
  }
  if (outcome.kind === 'invalid')
    throw new OAuthError('invalid_grant', `The refresh token is not valid: ${outcome.why}`);
  const access = await issueAccessToken(app, {
    sub: outcome.accountId,
    roles: outcome.roles,
    sessionId: outcome.sessionId,
    clientId: outcome.clientId,
    username: outcome.username,
    scope: DefaultScope,
  });
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    refresh_token: outcome.refresh,
    refresh_expires_in: app.settings.refreshTokenTtlSeconds,
    scope: DefaultScope,
  };
}
