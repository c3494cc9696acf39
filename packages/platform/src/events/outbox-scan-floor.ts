/**
 * The outbox relay's scan floor: the lowest outbox number a scan must start at so that no row that
 * can still turn out pending is skipped (the relay's `OutboxBatches` keeps one).
 */
import { sql } from 'kysely';

/** Scans remembered while a long transaction keeps them from settling. */
const MAX_CHECKPOINTS = 64;

/** What a scan learns about the outbox's numbers, in the scan's own snapshot. */
export interface ScanBounds {
  /** The lowest pending row the scan saw (of this relay's producers), if any. */
  lowest: number | string | null;
  /** The highest number of any visible row. */
  highest: number | string | null;
  /** `pg_snapshot_xmin`: every transaction older than this has ended. */
  xmin: string;
  /**
   * A transaction id given after the scan's snapshot (the scan's own): newer than every transaction
   * that had an id when the snapshot was taken. (The snapshot's `xmax` is not: it follows the
   * newest transaction that had ended, and a running one can have a newer id.)
   */
  later: string;
}

/**
 * The part of a scan's select list that fills `ScanBounds`' `highest`, `xmin` and `later`: the
 * statement takes its snapshot before it runs, so the id it is given is newer than the snapshot.
 */
export const SNAPSHOT_BOUNDS = sql`(SELECT max(seq) FROM mvp_meta.outbox) AS highest,
  pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
  pg_current_xact_id()::text AS later`;

/**
 * Where a scan for pending rows starts. Sent rows stay in the table for the retention, and a scan
 * from the table's start would walk every one of them in the `seq` index (with the pending index of
 * migration 001 it walked its dead entries until VACUUM, measured 6,600 per scan under 1,000
 * transfers/s, most of PostgreSQL's CPU), so a scan starts at the lowest number that can still turn
 * out pending.
 *
 * Numbers are taken in order, but a transaction can commit its rows long after later numbers were
 * sent. Each transaction takes its id before its first number (migration 006), so every row
 * numbered up to the highest a scan saw belongs to a transaction whose id is older than an id given
 * after that scan's snapshot (`later`); once a later scan's `xmin` has passed that id, all of them
 * have committed or rolled back, and those numbers are settled. The floor is the lowest pending
 * row, but never above the settled numbers. A long transaction anywhere on the server (transaction ids
 * are the server's, not one database's) keeps the floor back: more to scan, nothing missed.
 */
export class ScanFloor {
  /** Earlier scans, oldest first, waiting for their transactions to end. */
  readonly #checkpoints: { highest: number; later: bigint }[] = [];
  /** Every row numbered up to this has committed or rolled back. */
  #settled = 0;
  #value = 0;

  get value(): number {
    return this.#value;
  }

  /**
   * Starts from a floor kept by a relay of the same producers (outbox-kept-floors.ts): every row
   * below it had settled and was sent, which no later scan can change.
   */
  restore(floor: number): void {
    this.#settled = Math.max(this.#settled, floor - 1);
    this.#value = Math.max(this.#value, floor);
  }

  advance(scan: ScanBounds): void {
    if (scan.highest !== null) {
      const checkpoint = { highest: Number(scan.highest), later: BigInt(scan.later) };
      // Replacing the newest one only makes that scan's numbers wait for a later id: late, never wrong.
      if (this.#checkpoints.length >= MAX_CHECKPOINTS) this.#checkpoints.pop();
      this.#checkpoints.push(checkpoint);
    }
    const xmin = BigInt(scan.xmin);
    while (this.#checkpoints[0] && this.#checkpoints[0].later <= xmin) {
      this.#settled = Math.max(this.#settled, (this.#checkpoints.shift() as { highest: number }).highest);
    }
    const lowest = scan.lowest === null ? Number.POSITIVE_INFINITY : Number(scan.lowest);
    this.#value = Math.min(lowest, this.#settled + 1);
  }
}
