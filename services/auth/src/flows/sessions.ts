import type { Kysely } from 'kysely';
import { publish } from '../events.ts';
import { revokeSessions } from '../store/sessions.ts';
import type { AuthDatabase } from '../store/tables.ts';
import type { AuthApp } from './auth-app.ts';

type Match = Parameters<typeof revokeSessions>[1];

/**
 * Revokes sessions inside the caller's transaction and writes one `auth.session.revoked` per
 * session there too; returns the ids to deny once the transaction has committed.
 */
export async function revokeAndAnnounce(trx: Kysely<AuthDatabase>, match: Match, reason: string): Promise<string[]> {
  const revoked = await revokeSessions(trx, match, reason, new Date());
  for (const session of revoked) {
    await publish(trx, {
      topic: 'auth.session.revoked',
      key: session.accountId,
      payload: { accountId: session.accountId, sessionId: session.id },
    });
  }
  return revoked.map((session) => session.id);
}

/** After commit: the sessions' live access tokens stop working on every replica. */
export async function denySessions(app: AuthApp, sessionIds: string[]): Promise<void> {
  await Promise.all(sessionIds.map((id) => app.denyList.revokeSession(id)));
}

/** Ends sessions matched by `match` (in a transaction of its own) and denies their tokens. */
export async function endSessions(app: AuthApp, match: Match, reason: string): Promise<string[]> {
  const ids = await app.db.transaction().execute((trx) => revokeAndAnnounce(trx, match, reason));
  await denySessions(app, ids);
  return ids;
}
