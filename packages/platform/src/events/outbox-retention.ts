/**
 * Deletes outbox rows sent longer than the retention ago, so the table holds the backlog and recent
 * history only: the table stays small however long a service runs.
 * When Debezium relays the outbox nothing marks rows sent, and none needs to be kept: Debezium reads
 * each insert from the WAL, which holds the whole row, so deleting it later loses nothing (the
 * publication does not publish deletes). Then rows are deleted by their age (`by: 'created_at'`).
 */
import { sql } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { SqlDatabase } from '../sql/database.ts';

/** Rows deleted per statement by the cleanup, so it never holds many locks or one long transaction. */
const CLEANUP_CHUNK = 5_000;

export class OutboxRetention {
  readonly #db: SqlDatabase;
  readonly #retentionMs: number;
  readonly #deleted: Counter;
  readonly #by: 'sent_at' | 'created_at';

  constructor(db: SqlDatabase, retentionMs: number, metrics: Registry, by: 'sent_at' | 'created_at' = 'sent_at') {
    this.#db = db;
    this.#retentionMs = retentionMs;
    this.#by = by;
    this.#deleted = new Counter({
      name: 'outbox_relay_deleted_total',
      help: 'Outbox rows deleted after the retention period (sent ones; with Debezium, by age)',
      registers: [metrics],
    });
  }

  /**
   * Deletes rows sent (or, `by: 'created_at'`, written) longer than the retention ago, oldest first,
   * in chunks while `keepGoing`; by `sent_at`, rows still pending are never touched. Several relays may clean at once: each skips the rows
   * another has locked.
   */
  async cleanup(keepGoing: () => boolean): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await sql`
        DELETE FROM mvp_meta.outbox WHERE id IN (
          SELECT id FROM mvp_meta.outbox
          WHERE ${sql.ref(this.#by)} < now() - make_interval(secs => ${this.#retentionMs / 1000})
          ORDER BY seq
          LIMIT ${CLEANUP_CHUNK}
          FOR UPDATE SKIP LOCKED)`.execute(this.#db.kysely);
      const count = Number(deleted.numAffectedRows ?? 0);
      total += count;
      this.#deleted.inc(count);
      if (count < CLEANUP_CHUNK || !keepGoing()) return total;
    }
  }
}
