/**
 * The outbox backlog when Debezium relays it (`OUTBOX_RELAY=off`), as gauges counted when scraped.
 *
 * Debezium never marks rows sent, so the built-in relay's `outbox_backlog` (rows with no `sent_at`)
 * would count every row ever written. What Debezium has not yet published is what its logical
 * replication slot has not confirmed: the WAL between the slot's `confirmed_flush_lsn` (the position
 * the connector has published and committed up to) and the server's current position. That distance
 * in bytes is also what PostgreSQL keeps on disk for the slot, so it is the figure to alert on, and a
 * slot no connector streams from (`active` false) is a relay that is down. The distance is WAL of the
 * whole server, not only outbox rows: the connector confirms the server's position while the outbox
 * is quiet (`lsn.flush.mode=connector_and_driver` and a heartbeat, in outbox-connector.json), so at rest
 * it stays small, and a lag that keeps growing is events waiting.
 */

import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { SqlDatabase } from '../sql/database.ts';

interface SlotState {
  active: boolean;
  lag_bytes: number | null;
}

/**
 * The slot of this database named `slot`, if it exists. The lag runs to the WAL insert position: with
 * asynchronous commits the write position trails a committed event until the WAL writer's next round.
 */
async function slotState(db: SqlDatabase, slot: string): Promise<SlotState | undefined> {
  const result = await sql<SlotState>`
    SELECT active, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), confirmed_flush_lsn)::float8 AS lag_bytes
    FROM pg_replication_slots
    WHERE slot_name = ${slot} AND database = current_database()`.execute(db.kysely);
  return result.rows[0];
}

/** `slot`: the connector's `slot.name` (OUTBOX_SLOT_NAME). A failed read leaves both unset. */
export function registerSlotGauges(metrics: Registry, db: SqlDatabase, slot: string): void {
  const read = () => slotState(db, slot).catch(() => null);
  new Gauge({
    name: 'outbox_slot_lag_bytes',
    help: 'WAL bytes the outbox replication slot (Debezium) has not confirmed: events not yet published; absent without the slot',
    labelNames: ['slot'],
    registers: [metrics],
    async collect() {
      this.reset();
      const state = await read();
      if (state?.lag_bytes != null) this.set({ slot }, Math.max(0, state.lag_bytes));
    },
  });
  new Gauge({
    name: 'outbox_slot_active',
    help: '1 while a connector streams from the outbox replication slot (Debezium), 0 when none does or the slot is missing',
    labelNames: ['slot'],
    registers: [metrics],
    async collect() {
      this.reset();
      const state = await read();
      if (state !== null) this.set({ slot }, state?.active ? 1 : 0);
    },
  });
}
