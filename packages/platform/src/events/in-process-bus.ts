import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetterTopic } from '@necp/contracts';
import type { Logger } from 'pino';
import {
  type BusRecord,
  backoffMs,
  defaultRetryPolicy,
  type EventBus,
  PoisonMessageError,
  type RetryPolicy,
  type Subscription,
} from './bus.ts';

/**
 * The embedded bus: records go straight to the subscribed groups' handlers, in order, with
 * bounded retries; a record that keeps failing is published on `<topic>.dlq` with its error and
 * the others move on.
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
    for (const record of records) {
      for (const subscription of this.#subscriptions) {
        if (subscription.topics.includes(record.topic)) await this.#deliver(subscription, record);
      }
    }
  }

  async #deliver(subscription: Subscription, record: BusRecord): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
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
