import type { OutboxRow } from './outbox.ts';

/**
 * An outbox row as a column list, for a store statement that writes its event itself (a CTE of the
 * change it announces): what `mvp_meta.write_outbox` inserts, without a round trip of its own. The
 * outbox's triggers fire for it as for the function's insert; a column the function comes to set must
 * be set here too (migrations/repeatable/write_outbox.sql).
 */
export function outboxValues(row: OutboxRow<unknown>) {
  return {
    id: row.id,
    aggregatetype: row.aggregatetype,
    aggregateid: row.aggregateid,
    type: row.type,
    payload: JSON.stringify(row.payload),
    producer: row.producer,
    tracingspancontext: row.tracingspancontext,
  };
}
