import type { EventEnvelope } from '@necp/contracts';

/** One message on the bus: the envelope, the topic it is on and the key that orders it. */
export interface BusRecord {
  topic: string;
  key: string;
  envelope: EventEnvelope;
  /**
   * The envelope's bytes, when the publisher has them: the outbox relay reads them as PostgreSQL
   * prints the stored jsonb (`payload::text`), and a consumed record carries the value it came with.
   * The Kafka bus sends them as they are; a record without them is rendered the same way (jsonbText).
   */
  text?: string;
  /** Transport headers: the outbox row id (`id`, as Debezium sets it) and `traceparent`. */
  headers: Record<string, string>;
}

export type RecordHandler = (record: BusRecord) => Promise<void>;

/**
 * Handles several records of one or more partitions (Kafka; each partition's in offset order) or
 * of one publish call (in-process) at once, in their order, all or nothing: it resolves only once every record's effect is committed, and when
 * it rejects, no record's effect is. The bus then takes the same records one by one through
 * `handle` (retries, dead letters), so a failing record is isolated exactly as without batches.
 */
export type BatchHandler = (records: BusRecord[]) => Promise<void>;

export interface Subscription {
  /** A consumer group: each group gets every record once in effect; members of a group share them. */
  group: string;
  topics: string[];
  handle: RecordHandler;
  /** Optional, for throughput: one transaction for many records instead of one each (see BatchHandler). */
  handleBatch?: BatchHandler;
  /**
   * Where a group that has no committed position yet starts on Kafka: `earliest` (the default), so
   * that events published before a service first ran are not skipped, or `latest`, for a group that
   * lives as long as one process (the gateway's realtime fan-out: a group per replica, which only
   * wants what happens while it runs). The in-process bus hands a subscription what is published
   * after it subscribed either way.
   */
  startAt?: 'earliest' | 'latest';
  /**
   * Kafka: one batch in a handler at a time for the whole subscription, the messages of every
   * partition that waited meanwhile in it (each partition still in offset order), instead of one
   * batch per partition side by side. For handlers whose batches all lock the same few rows (world's
   * districts): side by side they would only wait for each other's locks, holding a connection each.
   * The price: a record retried after a failure holds up the other partitions too.
   */
  oneBatchAtATime?: boolean;
}

/**
 * The event bus port. `publish` resolves once the records are durably accepted (the in-process
 * bus: once every subscribed group has handled them or dead-lettered them), so the relay marks
 * outbox rows sent only after that.
 */
export interface EventBus {
  readonly kind: 'in-process' | 'kafka';
  publish(records: BusRecord[]): Promise<void>;
  subscribe(subscription: Subscription): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by a handler for a message that can never succeed: it goes to the dead letters at once. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

export interface RetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 5_000 };

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (attempt - 1));
}

/**
 * Thrown by a batch handler when the handling of one record failed (its handler threw, or it is no
 * valid event): the bus counts the batch as that record's first attempt, so a record is handled at
 * most `maxAttempts` times and a PoisonMessageError is never retried, batch or not.
 */
export class BatchRecordError extends Error {
  override name = 'BatchRecordError';
  readonly record: BusRecord;

  constructor(record: BusRecord, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.record = record;
  }
}

/**
 * Delivers `records` (a Kafka batch's, or one publish call's, in order) through `handleBatch`.
 * When a batch fails, nothing of it was committed, so it is taken apart: with the failing record
 * known (a BatchRecordError), the records before it go as a batch again, the failing record goes
 * through `one` with that failure as its first attempt, and the records after it continue as a
 * batch; with the cause unknown (the commit failed, say), every record goes through `one`.
 * `one(record, firstFailure)` is the bus's per-record path (retries with backoff, dead letters).
 */
export async function deliverBatch(
  handleBatch: BatchHandler,
  records: BusRecord[],
  one: (record: BusRecord, firstFailure?: { error: unknown }) => Promise<void>,
  onBatchFailure: (error: unknown, size: number) => void = () => {},
): Promise<void> {
  let rest = records;
  while (rest.length > 0) {
    if (rest.length === 1) {
      await one(rest[0] as BusRecord);
      return;
    }
    try {
      await handleBatch(rest);
      return;
    } catch (error) {
      onBatchFailure(error, rest.length);
      const at = error instanceof BatchRecordError ? rest.indexOf(error.record) : -1;
      if (at < 0) {
        for (const record of rest) await one(record);
        return;
      }
      await deliverBatch(handleBatch, rest.slice(0, at), one, onBatchFailure);
      await one(rest[at] as BusRecord, { error: (error as BatchRecordError).cause });
      rest = rest.slice(at + 1);
    }
  }
}
