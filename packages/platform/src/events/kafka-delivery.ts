/**
 * What a Kafka subscription does with one partition's batch: hands it to the handlers, retries with
 * backoff, and sends what cannot be handled to `<topic>.dlq`. It resolves only once every message
 * is handled or dead-lettered, because its subscriber then commits the batch's offset; it rejects
 * (the messages come again) only when the consumer stops.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetterTopic } from '@necp/contracts';
import type { Message } from '@platformatic/kafka';
import type { Logger } from 'pino';
import {
  type BusRecord,
  backoffMs,
  deliverBatch,
  PoisonMessageError,
  type RetryPolicy,
  type Subscription,
} from './bus.ts';
import type { BusMetrics } from './kafka-metrics.ts';
import { deadLetterHeaders, fromKafkaMessage, type KafkaOutgoing, toKafkaMessage } from './kafka-records.ts';

export type StringMessage = Message<string, string, string, string>;

/** Raised into a handler's retry loop when the bus stops: the message is left for redelivery. */
export class StoppingError extends Error {
  override name = 'StoppingError';
}

export interface DeliveryContext {
  subscription: Subscription;
  logger: Logger;
  metrics: BusMetrics;
  retry: RetryPolicy;
  /** Aborted when the consumer stops: retries and dead-letter attempts give up. */
  stopping: AbortSignal;
  send(messages: KafkaOutgoing[]): Promise<void>;
}

export class KafkaDelivery {
  readonly #group: string;
  readonly #context: DeliveryContext;

  constructor(context: DeliveryContext) {
    this.#group = context.subscription.group;
    this.#context = context;
  }

  /**
   * Handles one partition's batch in offset order: runs of readable records through the
   * subscription's `handleBatch` when it has one (see deliverBatch), each unreadable message to
   * the dead letters at its place in the order.
   */
  async process(batch: StringMessage[]): Promise<void> {
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
    const { subscription, metrics, logger, stopping } = this.#context;
    const handleBatch = subscription.handleBatch;
    if (!handleBatch || records.length < 2) {
      for (const record of records) await this.#handleOne(record);
      return;
    }
    await deliverBatch(
      async (batch) => {
        if (stopping.aborted) throw new StoppingError('the consumer is stopping');
        await handleBatch.call(subscription, batch);
        for (const record of batch) metrics.consumed.inc({ group: this.#group, topic: record.topic });
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
    const { subscription, metrics, retry, logger, stopping } = this.#context;
    for (let attempt = 1; ; attempt++) {
      if (stopping.aborted) throw new StoppingError('the consumer is stopping');
      try {
        if (attempt === 1 && firstFailure) throw firstFailure.error;
        await subscription.handle(record);
        metrics.consumed.inc({ group: this.#group, topic: record.topic });
        return;
      } catch (error) {
        metrics.handlerFailures.inc({ group: this.#group, topic: record.topic });
        if (error instanceof PoisonMessageError || attempt >= retry.maxAttempts) {
          await this.#deadLetter(toKafkaMessage(record), record.envelope.eventId, error, attempt);
          return;
        }
        logger.warn({ err: error, topic: record.topic, attempt }, 'event handler failed; retrying');
        await this.#pause(backoffMs(retry, attempt));
      }
    }
  }

  async #pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.#context.stopping });
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
    const { logger, metrics, send, stopping } = this.#context;
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
      headers: deadLetterHeaders(original.headers, error, this.#group, attempts),
    };
    for (let attempt = 1; ; attempt++) {
      if (stopping.aborted) throw new StoppingError('the consumer is stopping');
      try {
        await send([letter]);
        metrics.deadLettered.inc({ group: this.#group, topic: original.topic });
        return;
      } catch (sendError) {
        logger.warn({ err: sendError, topic: letter.topic, attempt }, 'dead letter not accepted yet; retrying');
        await this.#pause(Math.min(10_000, 200 * 2 ** attempt));
      }
    }
  }
}
