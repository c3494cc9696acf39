import type { EventEnvelope } from '@necp/contracts';

/** One message on the bus: the envelope, the topic it is on and the key that orders it. */
export interface BusRecord {
  topic: string;
  key: string;
  envelope: EventEnvelope;
  /** Transport headers: the outbox row id (`id`, as Debezium sets it) and `traceparent`. */
  headers: Record<string, string>;
}

export type RecordHandler = (record: BusRecord) => Promise<void>;

export interface Subscription {
  /** A consumer group: each group gets every record once in effect; members of a group share them. */
  group: string;
  topics: string[];
  handle: RecordHandler;
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
