/**
 * The Kafka bus's producer, apart from the consumers and the admin client. Its settings carry the
 * publishing guarantees that `KafkaBus` states; keep them together with that comment.
 */
import { compatibilityPartitioner, Producer, stringSerializers } from '@platformatic/kafka';
import type { KafkaBusSettings } from './kafka-bus-options.ts';
import type { BusMetrics } from './kafka-metrics.ts';
import type { KafkaOutgoing } from './kafka-records.ts';
import { closeClient, withTimeout } from './kafka-waits.ts';

export class KafkaPublisher {
  readonly #options: KafkaBusSettings;
  readonly #metrics: BusMetrics;
  readonly #producer: Producer<string, string, string, string>;
  /** Sends not yet settled, which `close` lets finish before it closes the producer. */
  readonly #sending = new Set<Promise<unknown>>();

  constructor(options: KafkaBusSettings, metrics: BusMetrics) {
    this.#options = options;
    this.#metrics = metrics;
    this.#producer = new Producer({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      serializers: stringSerializers,
      idempotent: true,
      partitioner: compatibilityPartitioner,
      metadataMaxAge: options.metadataMaxAgeMs,
    });
  }

  /** Resolves once the broker acknowledged every message. */
  async send(messages: KafkaOutgoing[]): Promise<void> {
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

  /** Waits (bounded) for the sends in flight, whose callers are still waiting for their acknowledgement. */
  async settle(): Promise<void> {
    await withTimeout(Promise.allSettled([...this.#sending]), this.#options.publishTimeoutMs).catch(() => undefined);
  }

  close(): Promise<void> {
    return closeClient(this.#producer);
  }
}
