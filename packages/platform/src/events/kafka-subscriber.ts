/**
 * One subscription of the Kafka bus: its consumer in the subscription's group, the partition lanes
 * that keep each partition in offset order, and the offset commits, made only once a batch was
 * handled, so a crash redelivers and never skips. What happens to a batch is KafkaDelivery's; when
 * the next fetch goes out is FetchPacing's, and when handled offsets are committed CoalescedCommits'.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer, type MessagesStream, stringDeserializers } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { Subscription } from './bus.ts';
import type { KafkaBusSettings } from './kafka-bus-options.ts';
import { CoalescedCommits } from './kafka-commits.ts';
import { KafkaDelivery, StoppingError, type StringMessage } from './kafka-delivery.ts';
import { FetchPacing } from './kafka-fetch-pacing.ts';
import { PartitionLanes, partitionKey } from './kafka-lanes.ts';
import type { BusMetrics, LagSource } from './kafka-metrics.ts';
import type { KafkaOutgoing } from './kafka-records.ts';
import { STOP_WAIT_MS, withTimeout } from './kafka-waits.ts';

export interface SubscriberContext {
  options: KafkaBusSettings;
  logger: Logger;
  metrics: BusMetrics;
  send(messages: KafkaOutgoing[]): Promise<void>;
}

function groupConsumer(group: string, options: KafkaBusSettings): Consumer<string, string, string, string> {
  return new Consumer({
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    groupId: group,
    deserializers: stringDeserializers,
    sessionTimeout: options.sessionTimeoutMs,
    rebalanceTimeout: Math.max(options.sessionTimeoutMs, 60_000),
    heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
    maxWaitTime: options.maxFetchWaitMs,
    metadataMaxAge: options.metadataMaxAgeMs,
  });
}

/** One subscription: its consumer, its partition lanes, and the restarts after broker trouble. */
export class KafkaSubscriber implements LagSource {
  readonly group: string;
  readonly #subscription: Subscription;
  readonly #context: SubscriberContext;
  readonly #consumer: Consumer<string, string, string, string>;
  readonly #lanes: PartitionLanes<StringMessage>;
  readonly #delivery: KafkaDelivery;
  readonly #stopping = new AbortController();
  readonly #commits: CoalescedCommits<StringMessage>;
  readonly #pacing: FetchPacing;
  #stream: MessagesStream<string, string, string, string> | undefined;
  #restarting: Promise<void> | undefined;

  constructor(subscription: Subscription, context: SubscriberContext) {
    this.group = subscription.group;
    this.#subscription = subscription;
    this.#context = context;
    const { options } = context;
    this.#delivery = new KafkaDelivery({
      subscription,
      logger: context.logger,
      metrics: context.metrics,
      retry: options.retry,
      stopping: this.#stopping.signal,
      send: context.send,
    });
    this.#pacing = new FetchPacing(options.fetchLingerMs, options.maxFetchLingerMs);
    this.#commits = new CoalescedCommits<StringMessage>(options.commitIntervalMs, (message, error) => {
      // The offset stays behind: the message is delivered again and its handler's dedupe skips it.
      if (!this.#stopping.signal.aborted) {
        context.logger.debug(
          { err: error, topic: message.topic, partition: message.partition },
          'offset commit failed',
        );
      }
    });
    this.#consumer = groupConsumer(subscription.group, options);
    // The client commits what it was handed before it gives partitions up: hand it what waits.
    this.#consumer.on('consumer:group:rebalance', () => this.#commits.flush());
    this.#consumer.on('consumer:group:join', ({ assignments }) => {
      const assigned = new Set(
        (assignments ?? []).flatMap((each) => each.partitions.map((partition) => partitionKey(each.topic, partition))),
      );
      this.#lanes.retain(assigned);
      this.#commits.retain(assigned);
    });
    this.#lanes = new PartitionLanes<StringMessage>({
      maxBuffered: options.maxBufferedPerSubscription,
      // Without a batch handler, a batch would only hold back the commits of handled messages.
      maxBatch: subscription.handleBatch ? options.maxBatchSize : 1,
      ...(subscription.oneBatchAtATime ? { maxConcurrentBatches: 1 } : {}),
      process: (batch) => this.#delivery.process(batch),
      // Kafka commits a position: the last offset of the batch covers the ones before it.
      done: (batch) => this.#commits.handled(batch.at(-1) as StringMessage),
      failed: (batch, error) => {
        if (!(error instanceof StoppingError)) {
          const [first] = batch;
          context.logger.error(
            { err: error, topic: first?.topic, partition: first?.partition, size: batch.length },
            'consumer lane failed',
          );
        }
      },
      pressure: (paused) => this.#pacing.pressure(paused),
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
      // A group's first start reads the topics from the beginning unless the subscription says
      // otherwise: events published before the service first ran are not skipped.
      fallbackMode: this.#subscription.startAt ?? 'earliest',
    });
    this.#stream = stream;
    this.#pacing.attach(stream);
    stream.on('data', (message: StringMessage) => {
      this.#pacing.received();
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

  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#lanes.dropAll();
    // A handler, an offset commit, a restart still joining or a group leave that a broker back from
    // an outage does not answer must not hold the process open: each wait is bounded, then the
    // connections are closed by force. An effect whose commit is abandoned is delivered again, and
    // the idempotent consumer skips it.
    await withTimeout(this.#lanes.idle(), STOP_WAIT_MS).catch(() => undefined);
    this.#pacing.stop();
    await withTimeout(this.#commits.settle(), STOP_WAIT_MS).catch(() => undefined);
    await withTimeout(this.#restarting ?? Promise.resolve(), STOP_WAIT_MS).catch(() => undefined);
    await withTimeout(this.#stream?.close() ?? Promise.resolve(), STOP_WAIT_MS).catch(() => undefined);
    await withTimeout(this.#consumer.close(), STOP_WAIT_MS).catch(async (error: unknown) => {
      this.#context.logger.warn({ err: error }, 'leaving the consumer group failed; closing anyway');
      await this.#consumer.close(true).catch(() => undefined);
    });
  }
}
