/**
 * The Kafka bus's settings, apart from the bus so that its parts (topics, publisher, subscribers)
 * can take them without importing the bus that assembles them.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { defaultRetryPolicy, type RetryPolicy } from './bus.ts';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  metrics: Registry;
  /** Partitions and replication factor of the topics `ensureTopics` creates. */
  partitions: number;
  replicationFactor: number;
  retry?: RetryPolicy;
  /** A member that stops heartbeating loses its partitions after this long (a crashed process). */
  sessionTimeoutMs?: number;
  /** Messages a subscription holds in memory before it stops fetching. */
  maxBufferedPerSubscription?: number;
  /**
   * Most messages of one partition handed to a subscription's `handleBatch` at once (one
   * transaction for them all); a subscription without `handleBatch` gets one message at a time.
   */
  maxBatchSize?: number;
  /** Upper bound on how long a fetch waits for new messages; bounds the latency of `close`. */
  maxFetchWaitMs?: number;
  /**
   * After a fetch that brought messages, how long a subscription waits before its next fetch, so
   * that one fetch carries the messages of that while (see FetchPacing): the latency it adds to an
   * event under load, against one fetch request per message under a trickle. 0: fetch at once.
   */
  fetchLingerMs?: number;
  /**
   * The longest the linger grows to while fetches keep bringing few messages (see FetchPacing):
   * the most an event waits for its fetch under a trickle. Equal to `fetchLingerMs`: a fixed linger.
   */
  maxFetchLingerMs?: number;
  /**
   * Handled offsets are committed at most this often per subscription (and on a rebalance and at
   * stop); a crash redelivers at most this long's messages, which the consumers' dedupe skips.
   * 0: a commit after every handled batch.
   */
  commitIntervalMs?: number;
  /**
   * How long `publish` waits for the acknowledgements. The client keeps retrying through a broker
   * outage; without a bound the relay would hold its batch transaction open for the whole outage.
   */
  publishTimeoutMs?: number;
  /**
   * How long the producer and the consumers trust their cached topic metadata (leaders, topic
   * ids). The client's default, 5 s, sent a Metadata request every 5 s for each consumer and the
   * producer (about 3 a second of a process's ~50 during the order journeys). A leader change or a
   * deleted topic makes the client refresh at once whatever the age (its requests fail with
   * NOT_LEADER_OR_FOLLOWER and the like), and a topic it never saw is looked up when first used,
   * so the age only bounds how long a new partition of an existing topic goes unseen.
   */
  metadataMaxAgeMs?: number;
}

export type KafkaBusSettings = Required<KafkaBusOptions>;

export function withDefaults(options: KafkaBusOptions): KafkaBusSettings {
  return {
    retry: defaultRetryPolicy,
    sessionTimeoutMs: 30_000,
    maxBufferedPerSubscription: 2_000,
    maxBatchSize: 200,
    maxFetchWaitMs: 1_000,
    fetchLingerMs: 15,
    maxFetchLingerMs: 15,
    commitIntervalMs: 1_000,
    publishTimeoutMs: 15_000,
    metadataMaxAgeMs: 60_000,
    ...options,
  };
}
