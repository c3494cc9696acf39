import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetterTopic } from '@necp/contracts';
import type { Logger } from 'pino';
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

/**
 * The embedded bus: records go straight to the subscribed groups' handlers, in order, with
 * bounded retries; a record that keeps failing is published on `<topic>.dlq` with its error and
 * the others move on. A subscription with `handleBatch` gets a publish call's records for it as
 * one batch (in order); a failed batch is taken apart as `deliverBatch` describes.
 */
export class InProcessBus implements EventBus {
  readonly kind = 'in-process';
  readonly #subscriptions: Subscription[] = [];
  readonly #logger: Logger;
  readonly #retry: RetryPolicy;
  #closed = false;

  constructor(logger: Logger, retry: RetryPolicy = defaultRetryPolicy) {
    this.#logger = logger;
    this.#retry = retry;
  }

  async publish(records: BusRecord[]): Promise<void> {
    if (this.#closed) throw new Error('the event bus is closed');
    // Groups are independent of each other: each gets its records in publish order, one group
    // after the other.
    for (const subscription of this.#subscriptions) {
      const mine = records.filter((record) => subscription.topics.includes(record.topic));
      if (mine.length === 0) continue;
      const { handleBatch } = subscription;
      if (handleBatch && mine.length > 1) {
        await deliverBatch(
          (batch) => handleBatch.call(subscription, batch),
          mine,
          (record, firstFailure) => this.#deliver(subscription, record, firstFailure),
          (error, size) =>
            this.#logger.debug({ err: error, group: subscription.group, size }, 'event batch failed; taking it apart'),
        );
      } else {
        for (const record of mine) await this.#deliver(subscription, record);
      }
    }
  }

  /** `firstFailure`: the record's first attempt already failed, in a batch. */
  async #deliver(subscription: Subscription, record: BusRecord, firstFailure?: { error: unknown }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt === 1 && firstFailure) throw firstFailure.error;
        await subscription.handle(record);
        return;
      } catch (error) {
        const poison = error instanceof PoisonMessageError;
        if (poison || attempt >= this.#retry.maxAttempts) {
          await this.#deadLetter(subscription, record, error, attempt);
          return;
        }
        this.#logger.warn(
          { err: error, topic: record.topic, group: subscription.group, attempt },
          'event handler failed; retrying',
        );
        await sleep(backoffMs(this.#retry, attempt));
      }
    }
  }

  async #deadLetter(subscription: Subscription, record: BusRecord, error: unknown, attempts: number) {
    const message = error instanceof Error ? error.message : String(error);
    this.#logger.error(
      { topic: record.topic, group: subscription.group, eventId: record.envelope.eventId, attempts, error: message },
      'event dead-lettered',
    );
    await this.publish([
      {
        ...record,
        topic: deadLetterTopic(record.topic),
        headers: {
          ...record.headers,
          error: message,
          'consumer-group': subscription.group,
          attempts: String(attempts),
        },
      },
    ]);
  }

  async subscribe(subscription: Subscription): Promise<void> {
    this.#subscriptions.push(subscription);
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('the event bus is closed');
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
