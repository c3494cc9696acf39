/**
 * The outbox relay's batch: which pending rows it may take, publishing them and marking them sent.
 * The SQL here is what keeps the order per key when several relays share the outbox (see
 * `OutboxRelay`); the relay around it only decides when to take the next batch.
 */
import type { EventEnvelope } from '@necp/contracts';
import { sql } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { SqlDatabase } from '../sql/database.ts';
import type { EventBus } from './bus.ts';
import { keepFloor, keptFloor } from './outbox-kept-floors.ts';
import { type ScanBounds, ScanFloor, SNAPSHOT_BOUNDS } from './outbox-scan-floor.ts';

/** Advisory-lock class id of the outbox buckets (the second key is the bucket number). */
const RELAY_LOCK_CLASS = 7_307_002;

export interface OutboxBatchSettings {
  db: SqlDatabase;
  bus: EventBus;
  batchSize: number;
  buckets: number;
  bucketsPerTick: number;
  /** The producers whose rows are sent; null for every producer. */
  producers: string[] | null;
}

interface PendingRow {
  id: string;
  aggregatetype: string;
  aggregateid: string;
  /** `payload::text`: the bytes Debezium would publish, sent as they are. */
  payload: string;
  tracingspancontext: string | null;
}

function traceHeaders(row: PendingRow): Record<string, string> {
  return row.tracingspancontext ? { id: row.id, traceparent: row.tracingspancontext } : { id: row.id };
}

/** The rows of `producers` (an SQL parameter: null for every producer). */
export function ofProducers(producers: string[] | null) {
  return sql<boolean>`(${producers}::text[] IS NULL OR producer = ANY(${producers}::text[]))`;
}

export class OutboxBatches {
  readonly #settings: OutboxBatchSettings;
  readonly #published: Counter;
  readonly #floor = new ScanFloor();
  /** Whether the floor kept by the relays of these producers was read (before the first scan). */
  #restored = false;
  /** The floor last kept by this relay. */
  #kept = 0;

  constructor(settings: OutboxBatchSettings, metrics: Registry) {
    this.#settings = settings;
    this.#published = new Counter({
      name: 'outbox_relay_published_total',
      help: 'Outbox rows published to the bus',
      registers: [metrics],
    });
  }

  /** No row numbered below this is pending (see ScanFloor). */
  get floor(): number {
    return this.#floor.value;
  }

  /** Keeps the current floor for the relays that start later (see outbox-kept-floors.ts). */
  async keepFloor(): Promise<void> {
    const floor = this.#floor.value;
    if (floor <= this.#kept) return;
    await keepFloor(this.#settings.db, this.#settings.producers, floor);
    this.#kept = floor;
  }

  /** Publishes one batch; resolves with how many rows it sent. */
  async next(): Promise<number> {
    if (!this.#restored) {
      this.#floor.restore(await keptFloor(this.#settings.db, this.#settings.producers));
      this.#restored = true;
    }
    return this.#settings.db.kind === 'pglite' ? this.#nextEmbedded() : this.#nextShared();
  }

  /**
   * PostgreSQL, shared by any number of relays: the batch is marked sent as it is taken, and stays
   * locked until the bus accepted it and the transaction commits (a failed publish rolls the marks
   * back). The buckets are claimed and their rows read and marked in one statement (one round trip
   * per batch, and one WAL record per row: a `FOR UPDATE` before the mark logged a lock of its own).
   * The rows come from the statement's snapshot, taken before the bucket locks, so a row another
   * relay sent meanwhile is still seen pending, but the UPDATE checks its latest version again and
   * leaves it out. It never waits on another relay: rows of a bucket are only ever locked by the
   * transaction holding the bucket.
   */
  async #nextShared(): Promise<number> {
    const { db, batchSize, buckets, bucketsPerTick, producers } = this.#settings;
    const floor = this.#floor.value;
    return db.kysely.transaction().execute(async (trx) => {
      // Candidate buckets are those with pending rows, tried in random order so that replicas
      // spread over them; OFFSET 0 keeps the lock attempts after the shuffle and under the LIMIT.
      // The bounds come on every row (and alone, without a row, when nothing is to be sent).
      const scan = await sql<ScanBounds & Partial<PendingRow>>`
        WITH pending AS (
          SELECT seq, aggregateid FROM mvp_meta.outbox
          WHERE sent_at IS NULL AND seq >= ${floor} AND ${ofProducers(producers)}
          ORDER BY seq LIMIT ${batchSize}
        ), owned AS (
          SELECT bucket FROM (
            SELECT bucket FROM (
              SELECT DISTINCT (hashtext(aggregateid) & 2147483647) % ${buckets} AS bucket FROM pending
            ) distinct_buckets
            ORDER BY random()
            OFFSET 0
          ) shuffled
          WHERE pg_try_advisory_xact_lock(${RELAY_LOCK_CLASS}, bucket)
          LIMIT ${bucketsPerTick}
        ), bounds AS (
          SELECT (SELECT min(seq) FROM pending) AS lowest, ${SNAPSHOT_BOUNDS}
        ), taken AS (
          UPDATE mvp_meta.outbox SET sent_at = now()
          WHERE sent_at IS NULL AND seq IN (
            SELECT seq FROM mvp_meta.outbox
            WHERE sent_at IS NULL
              AND seq >= ${floor}
              AND ${ofProducers(producers)}
              AND (hashtext(aggregateid) & 2147483647) % ${buckets} IN (SELECT bucket FROM owned)
            ORDER BY seq
            LIMIT ${batchSize}
          )
          RETURNING seq, id, aggregatetype, aggregateid, payload::text AS payload, tracingspancontext
        )
        SELECT bounds.lowest, bounds.highest, bounds.xmin, bounds.later,
          taken.id, taken.aggregatetype, taken.aggregateid, taken.payload, taken.tracingspancontext
        FROM bounds LEFT JOIN taken ON true
        ORDER BY taken.seq`.execute(trx);
      const bounds = scan.rows[0];
      if (!bounds) return 0;
      this.#floor.advance(bounds);
      const rows = scan.rows.filter((row): row is ScanBounds & PendingRow => row.id != null);
      await this.#publish(rows);
      return rows.length;
    });
  }

  /**
   * PGlite: one process owns the database and runs one relay, and its single connection must stay
   * free while the in-process bus runs the consumers' own transactions, so the batch is read,
   * published and then marked without holding a transaction.
   */
  async #nextEmbedded(): Promise<number> {
    const { db, batchSize, producers } = this.#settings;
    // The bounds before the rows: a transaction committing between the two statements then adds
    // rows above `highest`, which the floor stays below.
    const bounds = await sql<Omit<ScanBounds, 'lowest'>>`SELECT ${SNAPSHOT_BOUNDS}`.execute(db.kysely);
    const pending = await sql<PendingRow & { seq: number }>`
      SELECT seq, id, aggregatetype, aggregateid, payload::text AS payload, tracingspancontext
      FROM mvp_meta.outbox WHERE sent_at IS NULL AND seq >= ${this.#floor.value} AND ${ofProducers(producers)}
      ORDER BY seq LIMIT ${batchSize}`.execute(db.kysely);
    if (bounds.rows[0]) this.#floor.advance({ ...bounds.rows[0], lowest: pending.rows[0]?.seq ?? null });
    const rows = pending.rows;
    if (rows.length === 0) return 0;
    await this.#publish(rows);
    // One array parameter: an IN list of n parameters is a statement of its own for each batch
    // size, parsed and planned again on every call.
    await sql`UPDATE mvp_meta.outbox SET sent_at = now() WHERE id = ANY(${rows.map((row) => row.id)}::uuid[])`.execute(
      db.kysely,
    );
    return rows.length;
  }

  async #publish(rows: PendingRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#settings.bus.publish(
      rows.map((row) => ({
        topic: row.aggregatetype,
        key: row.aggregateid,
        envelope: JSON.parse(row.payload) as EventEnvelope,
        text: row.payload,
        headers: traceHeaders(row),
      })),
    );
    this.#published.inc(rows.length);
  }
}
