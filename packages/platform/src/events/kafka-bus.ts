import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetterTopic } from '@necp/contracts';
import {
  Admin,
  Consumer,
  compatibilityPartitioner,
  type Message,
  type MessagesStream,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  type BusRecord,
  backoffMs,
  defaultRetryPolicy,
  deliverBatch,
  type EventBus,
  PoisonMessageError,
  type RetryPolicy,
  type Subscription,
} from './bus.ts';
import { PartitionLanes, partitionKey } from './kafka-lanes.ts';
import {
  deadLetterHeaders,
  fromKafkaMessage,
  type KafkaOutgoing,
  missingTopics,
  toKafkaMessage,
} from './kafka-records.ts';

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
   * How long `publish` waits for the acknowledgements. The client keeps retrying through a broker
   * outage; without a bound the relay would hold its batch transaction open for the whole outage.
   */
  publishTimeoutMs?: number;
}

type StringMessage = Message<string, string, string, string>;

/** Raised into a handler's retry loop when the bus stops: the message is left for redelivery. */
class StoppingError extends Error {
  override name = 'StoppingError';
}

interface BusMetrics {
  published: Counter<'topic'>;
  publishSeconds: Histogram;
  publishFailures: Counter;
  consumed: Counter<'group' | 'topic'>;
  handlerFailures: Counter<'group' | 'topic'>;
  deadLettered: Counter<'group' | 'topic'>;
}

interface LagSource {
  group: string;
  lag(): Promise<Map<string, bigint[]>>;
}

/** Consumer-lag sources per registry: one gauge per registry, however many buses share it. */
const lagSources = new WeakMap<Registry, Set<LagSource>>();

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

function busMetrics(registry: Registry): BusMetrics {
  const metrics: BusMetrics = {
    published:
      existing(registry, 'kafka_published_records_total') ??
      new Counter({
        name: 'kafka_published_records_total',
        help: 'Records the broker acknowledged, by topic',
        labelNames: ['topic'],
        registers: [registry],
      }),
    publishSeconds:
      existing(registry, 'kafka_publish_duration_seconds') ??
      new Histogram({
        name: 'kafka_publish_duration_seconds',
        help: 'Time from send to the acknowledgement of every record of a publish call',
        buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    publishFailures:
      existing(registry, 'kafka_publish_failures_total') ??
      new Counter({
        name: 'kafka_publish_failures_total',
        help: 'Publish calls the broker did not acknowledge (the caller retries)',
        registers: [registry],
      }),
    consumed:
      existing(registry, 'kafka_consumed_records_total') ??
      new Counter({
        name: 'kafka_consumed_records_total',
        help: 'Records handled by a consumer group, by group and topic',
        labelNames: ['group', 'topic'],
        registers: [registry],
      }),
    handlerFailures:
      existing(registry, 'kafka_consumer_failures_total') ??
      new Counter({
        name: 'kafka_consumer_failures_total',
        help: 'Handler attempts that failed, by group and topic',
        labelNames: ['group', 'topic'],
        registers: [registry],
      }),
    deadLettered:
      existing(registry, 'kafka_dead_lettered_total') ??
      new Counter({
        name: 'kafka_dead_lettered_total',
        help: 'Records sent to <topic>.dlq after their retries, by group and original topic',
        labelNames: ['group', 'topic'],
        registers: [registry],
      }),
  };
  if (!lagSources.has(registry)) {
    const sources = new Set<LagSource>();
    lagSources.set(registry, sources);
    new Gauge({
      name: 'kafka_consumer_lag',
      help: 'Records on the broker not yet committed by a consumer group, by group and topic',
      labelNames: ['group', 'topic'],
      registers: [registry],
      async collect() {
        this.reset();
        await Promise.all(
          [...sources].map(async (source) => {
            const lag = await withTimeout(source.lag(), 2_000).catch(() => undefined);
            for (const [topic, partitions] of lag ?? []) {
              // -1 marks partitions this member is not assigned; they are another member's to report.
              const total = partitions.reduce((sum, each) => (each >= 0n ? sum + each : sum), 0n);
              this.inc({ group: source.group, topic }, Number(total));
            }
          }),
        );
      },
    });
  }
  return metrics;
}

/** How long a closing client waits for the broker before it closes its connections by force. */
const STOP_WAIT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The event bus over Apache Kafka (`@platformatic/kafka`, which negotiates the protocol versions a
 * Kafka 4 broker still serves).
 *
 * Publishing: an idempotent producer (acks from all in-sync replicas, no duplicates from its own
 * retries), key = envelope key, partitioned like the Java client so Debezium and the built-in relay
 * put a key on the same partition. `publish` resolves only once the broker acknowledged every record.
 *
 * Consuming: one consumer per subscription in the subscription's group; partitions are worked off
 * side by side, each in offset order; an offset is committed only after its handler resolved (the
 * handler commits its own transaction first), so a crash redelivers and never skips.
 */
export class KafkaBus implements EventBus {
  readonly kind = 'kafka';
  readonly #options: Required<KafkaBusOptions>;
  readonly #logger: Logger;
  readonly #metrics: BusMetrics;
  readonly #producer: Producer<string, string, string, string>;
  readonly #admin: Admin;
  readonly #subscribers = new Set<KafkaSubscriber>();
  readonly #sending = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: KafkaBusOptions) {
    this.#options = {
      retry: defaultRetryPolicy,
      sessionTimeoutMs: 30_000,
      maxBufferedPerSubscription: 2_000,
      maxBatchSize: 200,
      maxFetchWaitMs: 1_000,
      publishTimeoutMs: 15_000,
      ...options,
    };
    this.#logger = options.logger.child({ component: 'kafka-bus' });
    this.#metrics = busMetrics(options.metrics);
    this.#producer = new Producer({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      serializers: stringSerializers,
      idempotent: true,
      partitioner: compatibilityPartitioner,
    });
    this.#admin = new Admin({ clientId: `${options.clientId}-admin`, bootstrapBrokers: options.brokers });
  }

  /**
   * Creates the topics that do not exist yet, with the configured partitions and replication. Safe
   * to run from every replica at once: a topic another replica just created counts as present.
   */
  async ensureTopics(topics: readonly string[]): Promise<string[]> {
    const missing = missingTopics(topics, await this.#admin.listTopics());
    if (missing.length > 0) {
      try {
        await this.#admin.createTopics({
          topics: missing,
          partitions: this.#options.partitions,
          replicas: this.#options.replicationFactor,
        });
      } catch (error) {
        const stillMissing = missingTopics(missing, await this.#admin.listTopics());
        if (stillMissing.length > 0) throw error;
      }
      this.#logger.info({ topics: missing }, 'created Kafka topics');
    }
    await this.#awaitLeaders(topics);
    return missing;
  }

  /** New topics take a moment to get partition leaders; producing before that fails. */
  async #awaitLeaders(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const metadata = await this.#admin.metadata({ topics: [...topics], forceUpdate: true });
      const ready = topics.every((topic) =>
        metadata.topics.get(topic)?.partitions.every((partition) => partition.leader >= 0),
      );
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`Kafka topics without partition leaders: ${topics.join(', ')}`);
      await sleep(200);
    }
  }

  async publish(records: BusRecord[]): Promise<void> {
    await this.#send(records.map(toKafkaMessage));
  }

  async #send(messages: KafkaOutgoing[]): Promise<void> {
    if (this.#closed) throw new Error('the event bus is closed');
    if (messages.length === 0) return;
    const started = performance.now();
    const sending = this.#producer.send({ messages });
    this.#sending.add(sending);
    void sending.then(
      () => this.#sending.delete(sending),
      () => this.#sending.delete(sending),
    );
    try {
      // A send that times out may still land later: the caller publishes again (at least once) and
      // consumers dedupe on the event id.
      await withTimeout(sending, this.#options.publishTimeoutMs);
    } catch (error) {
      this.#metrics.publishFailures.inc();
      throw error;
    }
    this.#metrics.publishSeconds.observe((performance.now() - started) / 1000);
    const perTopic = new Map<string, number>();
    for (const { topic } of messages) perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
    for (const [topic, count] of perTopic) this.#metrics.published.inc({ topic }, count);
  }

  /** Resolves once the consumer joined its group and fetches (from the group's committed offsets). */
  async subscribe(subscription: Subscription): Promise<void> {
    if (this.#closed) throw new Error('the event bus is closed');
    const subscriber = new KafkaSubscriber(subscription, {
      options: this.#options,
      logger: this.#logger.child({ group: subscription.group }),
      metrics: this.#metrics,
      send: (messages) => this.#send(messages),
    });
    this.#subscribers.add(subscriber);
    lagSources.get(this.#options.metrics)?.add(subscriber);
    await subscriber.start();
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('the event bus is closed');
    await this.#admin.metadata({ topics: [], forceUpdate: true });
  }

  /** Stops the consumers (handlers in progress finish and commit), waits for sends, closes clients. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const sources = lagSources.get(this.#options.metrics);
    await Promise.all(
      [...this.#subscribers].map(async (subscriber) => {
        sources?.delete(subscriber);
        await subscriber.stop();
      }),
    );
    await withTimeout(Promise.allSettled([...this.#sending]), this.#options.publishTimeoutMs).catch(() => undefined);
    await Promise.allSettled(
      [this.#producer, this.#admin].map((client) =>
        withTimeout(client.close(), STOP_WAIT_MS).catch(() => client.close(true)),
      ),
    );
  }
}

interface SubscriberContext {
  options: Required<KafkaBusOptions>;
  logger: Logger;
  metrics: BusMetrics;
  send(messages: KafkaOutgoing[]): Promise<void>;
}

/** One subscription: its consumer, its partition lanes, and the restarts after broker trouble. */
class KafkaSubscriber implements LagSource {
  readonly group: string;
  readonly #subscription: Subscription;
  readonly #context: SubscriberContext;
  readonly #consumer: Consumer<string, string, string, string>;
  readonly #lanes: PartitionLanes<StringMessage>;
  readonly #stopping = new AbortController();
  readonly #commits = new Set<Promise<void>>();
  #stream: MessagesStream<string, string, string, string> | undefined;
  #restarting: Promise<void> | undefined;

  constructor(subscription: Subscription, context: SubscriberContext) {
    this.group = subscription.group;
    this.#subscription = subscription;
    this.#context = context;
    const { options } = context;
    this.#consumer = new Consumer({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      groupId: subscription.group,
      deserializers: stringDeserializers,
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: Math.max(options.sessionTimeoutMs, 60_000),
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
      maxWaitTime: options.maxFetchWaitMs,
    });
    this.#consumer.on('consumer:group:join', ({ assignments }) => {
      const assigned = new Set(
        (assignments ?? []).flatMap((each) => each.partitions.map((partition) => partitionKey(each.topic, partition))),
      );
      this.#lanes.retain(assigned);
    });
    this.#lanes = new PartitionLanes<StringMessage>({
      maxBuffered: options.maxBufferedPerSubscription,
      // Without a batch handler, a batch would only hold back the commits of handled messages.
      maxBatch: subscription.handleBatch ? options.maxBatchSize : 1,
      process: (batch) => this.#process(batch),
      // Kafka commits a position: the last offset of the batch covers the ones before it.
      done: (batch) => this.#commit(batch.at(-1) as StringMessage),
      failed: (batch, error) => {
        if (!(error instanceof StoppingError)) {
          const [first] = batch;
          context.logger.error(
            { err: error, topic: first?.topic, partition: first?.partition, size: batch.length },
            'consumer lane failed',
          );
        }
      },
      pressure: (paused) => {
        if (paused) this.#stream?.pause();
        else this.#stream?.resume();
      },
    });
  }

  async start(): Promise<void> {
    await this.#consume();
  }

  lag(): Promise<Map<string, bigint[]>> {
    return this.#consumer.getLag({ topics: this.#subscription.topics });
  }

  async #consume(): Promise<void> {
    const stream = await this.#consumer.consume({
      topics: this.#subscription.topics,
      autocommit: false,
      mode: 'committed',
      // A group's first start reads the topics from the beginning: events published before the
      // service first ran are not skipped.
      fallbackMode: 'earliest',
    });
    this.#stream = stream;
    stream.on('data', (message: StringMessage) => {
      if (this.#owns(message)) this.#lanes.push(message);
    });
    stream.on('error', (error) => {
      if (!this.#stopping.signal.aborted) {
        this.#context.logger.warn({ err: error }, 'Kafka fetch failed; the consumer restarts');
      }
    });
    stream.on('close', () => {
      if (!this.#stopping.signal.aborted && this.#stream === stream) this.#restart();
    });
  }

  /** A message fetched before a rebalance took its partition away is the new owner's to handle. */
  #owns(message: StringMessage): boolean {
    return (
      this.#consumer.assignments?.some(
        (assignment) => assignment.topic === message.topic && assignment.partitions.includes(message.partition),
      ) ?? false
    );
  }

  /** After a broker outage the stream is gone: fetch again from the committed offsets, with backoff. */
  #restart(): void {
    if (this.#restarting) return;
    this.#stream = undefined;
    this.#restarting = (async () => {
      for (let attempt = 1; !this.#stopping.signal.aborted; attempt++) {
        try {
          await sleep(Math.min(10_000, 250 * 2 ** attempt), undefined, { signal: this.#stopping.signal });
          await this.#consume();
          this.#context.logger.info({ attempt }, 'Kafka consumer fetching again');
          return;
        } catch (error) {
          if (this.#stopping.signal.aborted) return;
          this.#context.logger.warn({ err: error, attempt }, 'Kafka consumer restart failed; retrying');
        }
      }
    })().finally(() => {
      this.#restarting = undefined;
    });
  }

  /**
   * Handles one partition's batch in offset order: runs of readable records through the
   * subscription's `handleBatch` when it has one (see deliverBatch), each unreadable message to
   * the dead letters at its place in the order.
   */
  async #process(batch: StringMessage[]): Promise<void> {
    let run: BusRecord[] = [];
    for (const message of batch) {
      const decoded = fromKafkaMessage(message);
      if (decoded.ok) {
        run.push(decoded.record);
        continue;
      }
      await this.#handleRun(run);
      run = [];
      // The original bytes go to the dead letters as they came: nothing is lost, nothing re-encoded.
      const original = {
        topic: message.topic,
        key: message.key ?? '',
        value: message.value ?? '',
        headers: Object.fromEntries(message.headers),
      };
      await this.#deadLetter(original, undefined, new PoisonMessageError(decoded.reason), 1);
    }
    await this.#handleRun(run);
  }

  async #handleRun(records: BusRecord[]): Promise<void> {
    const handleBatch = this.#subscription.handleBatch;
    if (!handleBatch || records.length < 2) {
      for (const record of records) await this.#handleOne(record);
      return;
    }
    const { metrics, logger } = this.#context;
    await deliverBatch(
      async (batch) => {
        if (this.#stopping.signal.aborted) throw new StoppingError('the consumer is stopping');
        await handleBatch.call(this.#subscription, batch);
        for (const record of batch) metrics.consumed.inc({ group: this.group, topic: record.topic });
      },
      records,
      (record, firstFailure) => this.#handleOne(record, firstFailure),
      (error, size) => {
        // Stopping: the records stay uncommitted and come again; nothing is to be taken apart.
        if (error instanceof StoppingError) throw error;
        logger.debug({ err: error, size }, 'event batch failed; taking it apart');
      },
    );
  }

  /** One record: retries with backoff, then the dead letters. `firstFailure`: its batch failed on it. */
  async #handleOne(record: BusRecord, firstFailure?: { error: unknown }): Promise<void> {
    const { metrics, options, logger } = this.#context;
    for (let attempt = 1; ; attempt++) {
      if (this.#stopping.signal.aborted) throw new StoppingError('the consumer is stopping');
      try {
        if (attempt === 1 && firstFailure) throw firstFailure.error;
        await this.#subscription.handle(record);
        metrics.consumed.inc({ group: this.group, topic: record.topic });
        return;
      } catch (error) {
        metrics.handlerFailures.inc({ group: this.group, topic: record.topic });
        if (error instanceof PoisonMessageError || attempt >= options.retry.maxAttempts) {
          await this.#deadLetter(toKafkaMessage(record), record.envelope.eventId, error, attempt);
          return;
        }
        logger.warn({ err: error, topic: record.topic, attempt }, 'event handler failed; retrying');
        await this.#pause(backoffMs(options.retry, attempt));
      }
    }
  }

  async #pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.#stopping.signal });
    } catch {
      throw new StoppingError('the consumer is stopping');
    }
  }

  /**
   * Publishes the record on `<topic>.dlq` and only then lets the partition move on; while the
   * broker refuses, it keeps trying (the partition waits, nothing is committed). A record that
   * fails on a dead-letter topic itself is logged and skipped: dead letters are not dead-lettered.
   */
  async #deadLetter(
    original: KafkaOutgoing,
    eventId: string | undefined,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const { logger, metrics, send } = this.#context;
    const reason = error instanceof Error ? error.message : String(error);
    if (original.topic.endsWith('.dlq')) {
      logger.error(
        { topic: original.topic, eventId, attempts, error: reason },
        'dead letter could not be handled; skipped',
      );
      return;
    }
    logger.error({ topic: original.topic, eventId, attempts, error: reason }, 'event dead-lettered');
    const letter: KafkaOutgoing = {
      ...original,
      topic: deadLetterTopic(original.topic),
      headers: deadLetterHeaders(original.headers, error, this.group, attempts),
    };
    for (let attempt = 1; ; attempt++) {
      if (this.#stopping.signal.aborted) throw new StoppingError('the consumer is stopping');
      try {
        await send([letter]);
        metrics.deadLettered.inc({ group: this.group, topic: original.topic });
        return;
      } catch (sendError) {
        logger.warn({ err: sendError, topic: letter.topic, attempt }, 'dead letter not accepted yet; retrying');
        await this.#pause(Math.min(10_000, 200 * 2 ** attempt));
      }
    }
  }

  #commit(message: StringMessage): void {
    const committing = (message.commit() as Promise<void>).catch((error: unknown) => {
      // The offset stays behind: the message is delivered again and its handler's dedupe skips it.
      if (!this.#stopping.signal.aborted) {
        this.#context.logger.debug(
          { err: error, topic: message.topic, partition: message.partition },
          'offset commit failed',
        );
      }
    });
    this.#commits.add(committing);
    void committing.finally(() => this.#commits.delete(committing));
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#lanes.dropAll();
    // A handler, an offset commit, a restart still joining or a group leave that a broker back from
    // an outage does not answer must not hold the process open: each wait is bounded, then the
    // connections are closed by force. An effect whose commit is abandoned is delivered again, and
    // the idempotent consumer skips it.
    await withTimeout(this.#lanes.idle(), STOP_WAIT_MS).catch(() => undefined);
    await withTimeout(Promise.allSettled([...this.#commits]), STOP_WAIT_MS).catch(() => undefined);
    await withTimeout(this.#restarting ?? Promise.resolve(), STOP_WAIT_MS).catch(() => undefined);
    await withTimeout(this.#stream?.close() ?? Promise.resolve(), STOP_WAIT_MS).catch(() => undefined);
    await withTimeout(this.#consumer.close(), STOP_WAIT_MS).catch(async (error: unknown) => {
      this.#context.logger.warn({ err: error }, 'leaving the consumer group failed; closing anyway');
      await this.#consumer.close(true).catch(() => undefined);
    });
  }
}
