import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Rows of `mvp_meta.outbox`; column names follow Debezium's outbox event router defaults. */
export interface OutboxTable {
  id: string;
  seq: Generated<number>;
  aggregatetype: string;
  aggregateid: string;
  type: string;
  payload: ColumnType<unknown, string, string>;
  producer: string;
  tracingspancontext: string | null;
  created_at: Timestamp;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ProcessedEventTable {
  consumer_group: string;
  event_id: string;
  topic: string;
  processed_at: Timestamp;
}

export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  request_hash: string;
  status: number | null;
  body: ColumnType<unknown, string | null, string | null>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface DeadLetterTable {
  id: Generated<number>;
  consumer_group: string;
  topic: string;
  event_id: string;
  envelope: ColumnType<unknown, string, string>;
  error: string;
  attempts: number;
  created_at: Timestamp;
}

export interface PlatformTables {
  'mvp_meta.outbox': OutboxTable;
  'mvp_meta.processed_events': ProcessedEventTable;
  'mvp_meta.idempotency_keys': IdempotencyKeyTable;
  'mvp_meta.dead_letters': DeadLetterTable;
}
