import type { KeysetPosition } from '@necp/platform';
import type { Kysely } from 'kysely';
import type { AuthDatabase } from './tables.ts';

type Db = Kysely<AuthDatabase>;

export interface Session {
  id: string;
  accountId: string;
  clientId: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

const sessionColumns = [
  'id',
  'account_id',
  'client_id',
  'user_agent',
  'ip',
  'created_at',
  'last_used_at',
  'expires_at',
  'revoked_at',
] as const;

type SessionRow = {
  id: string;
  account_id: string;
  client_id: string;
  user_agent: string | null;
  ip: string | null;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date | string;
  revoked_at: Date | string | null;
};

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    accountId: row.account_id,
    clientId: row.client_id,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: new Date(row.created_at),
    lastUsedAt: new Date(row.last_used_at),
    expiresAt: new Date(row.expires_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}

export async function createSession(
  db: Db,
  session: {
    id: string;
    accountId: string;
    clientId: string;
    userAgent: string | null;
    ip: string | null;
    createdAt: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('auth.sessions')
    .values({
      id: session.id,
      account_id: session.accountId,
      client_id: session.clientId,
      user_agent: session.userAgent,
      ip: session.ip,
      // Set here at millisecond precision, so the keyset cursor built from it matches exactly.
      created_at: session.createdAt,
      last_used_at: session.createdAt,
      expires_at: session.expiresAt,
    })
    .execute();
}

export async function insertRefreshToken(db: Db, token: { hash: string; sessionId: string; expiresAt: Date }) {
  await db
    .insertInto('auth.refresh_tokens')
    .values({ token_hash: token.hash, session_id: token.sessionId, expires_at: token.expiresAt })
    .execute();
}

export interface RefreshTokenRecord {
  hash: string;
  sessionId: string;
  expiresAt: Date;
  usedAt: Date | null;
}

/** The token row, locked: two concurrent uses of one refresh token are decided one after the other. */
export async function lockRefreshToken(db: Db, hash: string): Promise<RefreshTokenRecord | undefined> {
  const row = await db
    .selectFrom('auth.refresh_tokens')
    .select(['token_hash', 'session_id', 'expires_at', 'used_at'])
    .where('token_hash', '=', hash)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    hash: row.token_hash,
    sessionId: row.session_id,
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at === null ? null : new Date(row.used_at),
  };
}

export async function markRefreshTokenUsed(db: Db, hash: string, at: Date): Promise<void> {
  await db.updateTable('auth.refresh_tokens').set({ used_at: at }).where('token_hash', '=', hash).execute();
}

/** The session a refresh token (by its hash) belongs to, with its account. */
export async function findSessionOfRefreshToken(
  db: Db,
  hash: string,
): Promise<{ id: string; accountId: string } | undefined> {
  return db
    .selectFrom('auth.refresh_tokens')
    .innerJoin('auth.sessions', 'auth.sessions.id', 'auth.refresh_tokens.session_id')
    .select(['auth.sessions.id as id', 'auth.sessions.account_id as accountId'])
    .where('auth.refresh_tokens.token_hash', '=', hash)
    .executeTakeFirst();
}

export async function findSession(db: Db, id: string): Promise<Session | undefined> {
  const row = await db.selectFrom('auth.sessions').select(sessionColumns).where('id', '=', id).executeTakeFirst();
  return row ? toSession(row) : undefined;
}

export async function extendSession(db: Db, id: string, expiresAt: Date, at: Date): Promise<void> {
  await db.updateTable('auth.sessions').set({ expires_at: expiresAt, last_used_at: at }).where('id', '=', id).execute();
}

/** Revokes the live sessions matched; returns their ids (the ones whose tokens must now be denied). */
export async function revokeSessions(
  db: Db,
  match: { sessionId?: string; accountId?: string; exceptSessionId?: string },
  reason: string,
  at: Date,
): Promise<Array<{ id: string; accountId: string }>> {
  let query = db
    .updateTable('auth.sessions')
    .set({ revoked_at: at, revoked_reason: reason })
    .where('revoked_at', 'is', null);
  if (match.sessionId) query = query.where('id', '=', match.sessionId);
  if (match.accountId) query = query.where('account_id', '=', match.accountId);
  if (match.exceptSessionId) query = query.where('id', '<>', match.exceptSessionId);
  const rows = await query.returning(['id', 'account_id']).execute();
  return rows.map((row) => ({ id: row.id, accountId: row.account_id }));
}

/** Live sessions of an account, newest first, keyset-paginated on (created_at, id). */
export async function listLiveSessions(
  db: Db,
  accountId: string,
  page: { limit: number; after?: KeysetPosition },
  now: Date,
): Promise<Session[]> {
  let query = db
    .selectFrom('auth.sessions')
    .select(sessionColumns)
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now);
  const after = page.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)])]),
    );
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
  return rows.map(toSession);
}
