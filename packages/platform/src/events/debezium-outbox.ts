/**
 * What a service still does for its outbox when Debezium relays it (`OUTBOX_RELAY=off`): export the
 * backlog as the replication slot's lag (outbox-slot-metrics.ts), and delete rows past the retention
 * by their age, since nothing marks them sent (see OutboxRetention). The built-in relay does both
 * itself when it runs.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type Repeating, repeatEvery } from '../repeat.ts';
import type { SqlDatabase } from '../sql/database.ts';
import { OutboxRetention } from './outbox-retention.ts';
import { registerSlotGauges } from './outbox-slot-metrics.ts';

export interface DebeziumOutboxOptions {
  db: SqlDatabase;
  logger: Logger;
  metrics: Registry;
  /** Debezium's `slot.name`. */
  slot: string;
  retentionMs: number;
  cleanupIntervalMs?: number;
}

export class DebeziumOutbox {
  readonly #retention: OutboxRetention;
  readonly #options: DebeziumOutboxOptions;
  #cleanups: Repeating | undefined;

  constructor(options: DebeziumOutboxOptions) {
    this.#options = options;
    this.#retention = new OutboxRetention(options.db, options.retentionMs, options.metrics, 'created_at');
    registerSlotGauges(options.metrics, options.db, options.slot);
  }

  /** Deletes rows older than the retention; resolves with how many (tests, and each timer tick). */
  cleanup(): Promise<number> {
    return this.#retention.cleanup(() => this.#cleanups !== undefined);
  }

  start(): void {
    this.#cleanups ??= repeatEvery(
      this.#options.cleanupIntervalMs ?? 30_000,
      () => this.cleanup(),
      (error) => this.#options.logger.warn({ err: error }, 'outbox cleanup failed; retried later'),
    );
  }

  async stop(): Promise<void> {
    const cleanups = this.#cleanups;
    this.#cleanups = undefined;
    await cleanups?.stop();
  }
}
