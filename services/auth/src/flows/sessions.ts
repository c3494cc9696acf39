import { AppError, decodeKeysetCursor, encodeKeysetCursor } from '@necp/platform';
import type { Kysely } from 'kysely';
import { hashToken } from '../domain/secrets.ts';
import { publish } from '../events.ts';
import { findSession, findSessionOfRefreshToken, listLiveSessions, revokeSessions } from '../store/sessions.ts';
import type { AuthDatabase } from '../store/tables.ts';
import type { AuthApp } from './auth-app.ts';

type Match = Parameters<typeof revokeSessions>[1];

/** The caller as the session routes see it. */
export interface SessionCaller {
  accountId: string;
  sessionId: string | undefined;
}

/**
 * Revokes sessions inside the caller's transaction and, there too, writes one `auth.session.revoked`
 * per session and the sessions' denials (kept in the database, where a restarted cache finds them);
 * returns the ids to deny in the cache once the transaction has committed.
 */
export async function revokeAndAnnounce(
  app: AuthApp,
  trx: Kysely<AuthDatabase>,
  match: Match,
  reason: string,
): Promise<string[]> {
  const at = new Date();
  const revoked = await revokeSessions(trx, match, reason, at);
  for (const session of revoked) {
    await publish(trx, {
      topic: 'auth.session.revoked',
      key: session.accountId,
      payload: { accountId: session.accountId, sessionId: session.id },
    });
  }
  await app.denyList.record(
    trx,
    revoked.map((session) => ({ kind: 'session' as const, sessionId: session.id, at })),
  );
  return revoked.map((session) => session.id);
}

/** After commit: the sessions' live access tokens stop working on every replica. */
export async function denySessions(app: AuthApp, sessionIds: string[]): Promise<void> {
  await Promise.all(sessionIds.map((id) => app.denyList.revokeSession(id)));
}

/** Ends sessions matched by `match` (in a transaction of its own) and denies their tokens. */
export async function endSessions(app: AuthApp, match: Match, reason: string): Promise<string[]> {
  const ids = await app.db.transaction().execute((trx) => revokeAndAnnounce(app, trx, match, reason));
  await denySessions(app, ids);
  return ids;
}

/** The session a refresh token belongs to, if it belongs to `accountId`. */
async function sessionOfRefreshToken(app: AuthApp, token: string, accountId: string): Promise<string | undefined> {
  const session = await findSessionOfRefreshToken(app.db, hashToken(token));
  return session && session.accountId === accountId ? session.id : undefined;
}

/** Ends the refresh token's session, or else the caller's own. */
export async function logout(app: AuthApp, caller: SessionCaller, refreshToken: string | undefined): Promise<void> {
  const sessionId = refreshToken ? await sessionOfRefreshToken(app, refreshToken, caller.accountId) : caller.sessionId;
  if (sessionId) await endSessions(app, { sessionId, accountId: caller.accountId }, 'logout');
}

/** The caller's live sessions, newest first, a page at a time. */
export async function listSessions(app: AuthApp, caller: SessionCaller, page: { limit: number; cursor?: string }) {
  const after = page.cursor ? { after: decodeKeysetCursor(page.cursor) } : {};
  // One row more than asked tells whether another page follows.
  const sessions = await listLiveSessions(app.db, caller.accountId, { limit: page.limit + 1, ...after }, new Date());
  const items = sessions.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((session) => ({
      sessionId: session.id,
      clientId: session.clientId,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === caller.sessionId,
    })),
    nextCursor: sessions.length > page.limit && last ? encodeKeysetCursor({ at: last.createdAt, id: last.id }) : null,
  };
}

/** Ends one of the caller's sessions; someone else's is answered like a missing one. */
export async function endOwnSession(app: AuthApp, accountId: string, sessionId: string): Promise<void> {
  const session = await findSession(app.db, sessionId);
  if (!session || session.accountId !== accountId || session.revokedAt) {
    throw new AppError('NOT_FOUND', 'No such session');
  }
  await endSessions(app, { sessionId: session.id }, 'ended by owner');
}
