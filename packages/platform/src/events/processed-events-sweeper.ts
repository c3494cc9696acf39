import { sql } from 'kysely';
import type { Logger } from 'pino';
import { repeatEvery } from '../repeat.ts';
import type { StopJob } from '../service/definition.ts';
import type { SqlDatabase } from '../sql/database.ts';
import { uuidv7Floor } from '../uuid-v7.ts';

/** Rows deleted per statement, so a sweep never holds many locks or one long transaction. */
const SWEEP_CHUNK = 5_000;

/**
 * Forgets events `group` processed longer than `retentionMs` ago, found by their version-7 ids (which
 * carry their time) with a range of the primary key. Ids of other versions (events from producers
 * that do not make v7 ids) are kept: their age is unknown.
 */
export async function deleteOldProcessedEvents(db: SqlDatabase, group: string, retentionMs: number): Promise<number> {
  const cutoff = uuidv7Floor(Date.now() - retentionMs);
  let total = 0;
  for (;;) {
    const deleted = await sql`
      DELETE FROM mvp_meta.processed_events WHERE consumer_group = ${group} AND event_id IN (
        SELECT event_id FROM mvp_meta.processed_events
        WHERE consumer_group = ${group} AND event_id < ${cutoff}::uuid
          AND substr(event_id::text, 15, 1) = '7'
        LIMIT ${SWEEP_CHUNK}
        FOR UPDATE SKIP LOCKED)`.execute(db.kysely);
    const count = Number(deleted.numAffectedRows ?? 0);
    total += count;
    if (count < SWEEP_CHUNK) return total;
  }
}

/**
 * Keeps each consumer group's record of processed events to the retention (a duplicate can only
 * come while Kafka still holds the event: its retention, 7 days by default), sweeping every
 * `intervalMs` until stopped. startService runs it for every service with consumers and tables.
 */
export function sweepProcessedEvents(
  db: SqlDatabase,
  logger: Logger,
  groups: readonly string[],
  retentionMs: number,
  intervalMs = 600_000,
): StopJob {
  const sweeps = repeatEvery(
    intervalMs,
    async () => {
      for (const group of groups) await deleteOldProcessedEvents(db, group, retentionMs);
    },
    (error) => logger.warn({ err: error }, 'processed-events sweep failed; retried later'),
  );
  return () => sweeps.stop();
}
