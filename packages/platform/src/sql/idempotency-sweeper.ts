import { sql } from 'kysely';
import type { Logger } from 'pino';
import { repeatEvery } from '../repeat.ts';
import type { StopJob } from '../service/definition.ts';
import type { SqlDatabase } from './database.ts';

/** Keys deleted per statement, so a sweep never holds many locks or one long transaction. */
const SWEEP_CHUNK = 5_000;

/**
 * Deletes expired Idempotency-Keys, oldest expiry first. A key being taken over by a new request
 * at that moment is skipped (it is locked) and left to that request.
 */
export async function deleteExpiredIdempotencyKeys(db: SqlDatabase): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await sql`
      DELETE FROM mvp_meta.idempotency_keys WHERE (scope, key) IN (
        SELECT scope, key FROM mvp_meta.idempotency_keys
        WHERE expires_at < now()
        ORDER BY expires_at
        LIMIT ${SWEEP_CHUNK}
        FOR UPDATE SKIP LOCKED)`.execute(db.kysely);
    const count = Number(deleted.numAffectedRows ?? 0);
    total += count;
    if (count < SWEEP_CHUNK) return total;
  }
}

/**
 * Sweeps expired keys every `intervalMs` until stopped: without it the table keeps every key ever
 * used. startService runs it for every service with tables.
 */
export function sweepIdempotencyKeys(db: SqlDatabase, logger: Logger, intervalMs = 60_000): StopJob {
  const sweeps = repeatEvery(
    intervalMs,
    () => deleteExpiredIdempotencyKeys(db),
    (error) => logger.warn({ err: error }, 'idempotency key sweep failed; retried later'),
  );
  return () => sweeps.stop();
}
