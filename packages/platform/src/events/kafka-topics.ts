/**
 * Topic administration for the Kafka bus: the admin client creates the topics at start and serves
 * the readiness ping, apart from the producer whose sends must not wait behind either.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { KafkaBusSettings } from './kafka-bus-options.ts';
import { missingTopics } from './kafka-records.ts';
import { closeClient } from './kafka-waits.ts';

export class KafkaTopics {
  readonly #options: KafkaBusSettings;
  readonly #logger: Logger;
  readonly #admin: Admin;

  constructor(options: KafkaBusSettings, logger: Logger) {
    this.#options = options;
    this.#logger = logger;
    this.#admin = new Admin({ clientId: `${options.clientId}-admin`, bootstrapBrokers: options.brokers });
  }

  /**
   * Creates the topics that do not exist yet, with the configured partitions and replication. Safe
   * to run from every replica at once: a topic another replica just created counts as present.
   */
  async ensure(topics: readonly string[]): Promise<string[]> {
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

  /** A metadata round trip: the broker answers. */
  async ping(): Promise<void> {
    await this.#admin.metadata({ topics: [], forceUpdate: true });
  }

  close(): Promise<void> {
    return closeClient(this.#admin);
  }
}
