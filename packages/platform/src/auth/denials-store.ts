import { type Kysely, sql } from 'kysely';
import type { PlatformTables } from '../sql/platform-tables.ts';

/**
 * A row of `mvp_meta.denied_identities`: an ended session (every token of it refused) or an
 * account ban (every token issued before `deniedAt` refused), kept until `expiresAt`, when the last
 * token it could refuse has expired.
 */
export interface StoredDenial {
  kind: 'session' | 'account';
  id: string;
  deniedAt: Date;
  expiresAt: Date;
}

/** Rows kept per statement of a sweep, so a sweep never holds many locks. */
const SWEEP_CHUNK = 5_000;

/**
 * Writes denials in the caller's transaction (the one ending the sessions or banning the account),
 * so a denial exists exactly when its change committed. A second ban of an account keeps the later
 * time; a session ended twice keeps its first end.
 */
export async function insertDenials<DB extends PlatformTables>(db: Kysely<DB>, denials: StoredDenial[]): Promise<void> {
  if (denials.length === 0) return;
  const rows = denials.map(
    (denial) =>
      sql`(${denial.kind}, ${denial.id}, ${denial.deniedAt.toISOString()}::timestamptz, ${denial.expiresAt.toISOString()}::timestamptz)`,
  );
  await sql`
    INSERT INTO mvp_meta.denied_identities (kind, id, denied_at, expires_at)
    VALUES ${sql.join(rows)}
    ON CONFLICT (kind, id) DO UPDATE SET
      denied_at = CASE WHEN excluded.kind = 'account'
        THEN greatest(mvp_meta.denied_identities.denied_at, excluded.denied_at)
        ELSE mvp_meta.denied_identities.denied_at END,
      expires_at = greatest(mvp_meta.denied_identities.expires_at, excluded.expires_at)`.execute(db);
}

/** The denials still in force at `now`. */
export async function liveDenials<DB extends PlatformTables>(db: Kysely<DB>, now: Date): Promise<StoredDenial[]> {
  const result = await sql<{
    kind: 'session' | 'account';
    id: string;
    denied_at: Date | string;
    expires_at: Date | string;
  }>`
    SELECT kind, id, denied_at, expires_at FROM mvp_meta.denied_identities
    WHERE expires_at > ${now.toISOString()}::timestamptz`.execute(db);
  return result.rows.map((row) => ({
    kind: row.kind,
    id: row.id,
    deniedAt: new Date(row.denied_at),
    expiresAt: new Date(row.expires_at),
  }));
}

/** Deletes denials whose tokens have all expired, oldest first; returns how many went. */
export async function deleteExpiredDenials<DB extends PlatformTables>(db: Kysely<DB>, now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await sql`
      DELETE FROM mvp_meta.denied_identities WHERE (kind, id) IN (
        SELECT kind, id FROM mvp_meta.denied_identities
        WHERE expires_at <= ${now.toISOString()}::timestamptz
        ORDER BY expires_at
        LIMIT ${SWEEP_CHUNK}
        FOR UPDATE SKIP LOCKED)`.execute(db);
    const count = Number(deleted.numAffectedRows ?? 0);
    total += count;
    if (count < SWEEP_CHUNK) return total;
  }
}
