import { type Kysely, sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { repeatEvery } from '../repeat.ts';
import type { StopJob } from '../service/definition.ts';
import type { SqlDatabase } from './database.ts';
import type { PlatformTables } from './platform-tables.ts';

/** One tick of a schedule: the work that is due at `now`, in the transaction that holds the schedule's lock. */
export type ScheduledWork<Tables> = (trx: Transaction<Tables & PlatformTables>, now: Date) => Promise<unknown>;

export interface ExclusiveSchedule {
  /** Runs one tick now, at `now` (tests drive time with it); resolves false when another replica held the lock. */
  tick(now?: Date): Promise<boolean>;
}

/** The advisory-lock class of schedules, apart from the outbox relay's and the migrations' locks. */
const SCHEDULE_LOCK_CLASS = 7_301;

/**
 * A schedule that runs once across replicas and survives restarts: each tick opens a transaction
 * and takes the transaction-level advisory lock named `name` without waiting; the replica that gets
 * it runs `work`, the others skip that tick. What is due lives in the service's own tables (a
 * deadline column, a counter), never in memory, so a restart or another replica carries on where
 * the last tick committed, and a crash mid-tick rolls the whole tick back.
 */
export function exclusiveSchedule<Tables>(
  db: SqlDatabase,
  name: string,
  work: ScheduledWork<Tables>,
): ExclusiveSchedule {
  const kysely = db.typed<Tables>() as Kysely<Tables & PlatformTables>;
  return {
    tick: (now = new Date()) =>
      kysely.transaction().execute(async (trx) => {
        const lock = await sql<{ held: boolean }>`
          SELECT pg_try_advisory_xact_lock(${SCHEDULE_LOCK_CLASS}, hashtext(${name})) AS held`.execute(trx);
        if (!lock.rows[0]?.held) return false;
        await work(trx, now);
        return true;
      }),
  };
}

/** Ticks `schedule` every `intervalMs` (the first time at start) until stopped; a failed tick is logged and retried next time. */
export function runSchedule(schedule: ExclusiveSchedule, intervalMs: number, logger: Logger, name: string): StopJob {
  const ticks = repeatEvery(
    intervalMs,
    () => schedule.tick(),
    (error) => logger.error({ err: error, schedule: name }, 'scheduled tick failed; retried next tick'),
  );
  void ticks.runNow();
  return () => ticks.stop();
}
