import type { Logger } from 'pino';
import type { BusRecord, EventBus, Subscription } from './bus.ts';
import { type KafkaBusOptions, type KafkaBusSettings, withDefaults } from './kafka-bus-options.ts';
import { type BusMetrics, busMetrics, lagSourcesOf } from './kafka-metrics.ts';
import { KafkaPublisher } from './kafka-publisher.ts';
import { type KafkaOutgoing, toKafkaMessage } from './kafka-records.ts';
import { KafkaSubscriber } from './kafka-subscriber.ts';
import { KafkaTopics } from './kafka-topics.ts';

export type { KafkaBusOptions };

/**
 * The event bus over Apache Kafka (`@platformatic/kafka`, which negotiates the protocol versions a
 * Kafka 4 broker still serves).
 *
 * Publishing: an idempotent producer (acks from all in-sync replicas, no duplicates from its own
 * retries), key = envelope key, partitioned like the Java client so Debezium and the built-in relay
 * put a key on the same partition. `publish` resolves only once the broker acknowledged every record.
 *
 * Consuming: one consumer per subscription in the subscription's group; partitions are worked off
 * side by side, each in offset order, and those free when a fetch arrives in one batch (one
 * transaction of the handler; see PartitionLanes); an offset is committed only after its handler resolved (the
 * handler commits its own transaction first), so a crash redelivers and never skips. Fetches linger
 * and commits are coalesced (`fetchLingerMs`, `commitIntervalMs`): under a trickle of events the
 * broker then serves one fetch and one commit per while, not one of each per event.
 *
 * The topics, the producer and each subscription are parts of their own; the bus owns their
 * lifecycle, so that closing stops the consumers before the producer their dead letters go through.
 */
export class KafkaBus implements EventBus {
  readonly kind = 'kafka';
  readonly #options: KafkaBusSettings;
  readonly #logger: Logger;
  readonly #metrics: BusMetrics;
  readonly #publisher: KafkaPublisher;
  readonly #topics: KafkaTopics;
  readonly #subscribers = new Set<KafkaSubscriber>();
  #closed = false;

  constructor(options: KafkaBusOptions) {
    this.#options = withDefaults(options);
    this.#logger = options.logger.child({ component: 'kafka-bus' });
    this.#metrics = busMetrics(options.metrics);
    this.#publisher = new KafkaPublisher(this.#options, this.#metrics);
    this.#topics = new KafkaTopics(this.#options, this.#logger);
  }

  /** Creates the missing topics (see KafkaTopics.ensure); resolves with those it created. */
  async ensureTopics(topics: readonly string[]): Promise<string[]> {
    return this.#topics.ensure(topics);
  }

  async publish(records: BusRecord[]): Promise<void> {
    await this.#send(records.map(toKafkaMessage));
  }

  /** Both the relay's records and the consumers' dead letters go out here, refused once closed. */
  async #send(messages: KafkaOutgoing[]): Promise<void> {
    if (this.#closed) throw new Error('the event bus is closed');
    await this.#publisher.send(messages);
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
    lagSourcesOf(this.#options.metrics)?.add(subscriber);
    await subscriber.start();
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('the event bus is closed');
    await this.#topics.ping();
  }

  /** Stops the consumers (handlers in progress finish and commit), waits for sends, closes clients. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const sources = lagSourcesOf(this.#options.metrics);
    await Promise.all(
      [...this.#subscribers].map(async (subscriber) => {
        sources?.delete(subscriber);
        await subscriber.stop();
      }),
    );
    await this.#publisher.settle();
    await Promise.allSettled([this.#publisher.close(), this.#topics.close()]);
  }
}
