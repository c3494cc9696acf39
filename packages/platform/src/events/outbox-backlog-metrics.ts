/**
 * The outbox backlog as gauges, counted when scraped: the rows not yet published and the age of the
 * oldest, which show a relay falling behind (or none running) before any consumer notices. Both
 * count from the relay's scan floor, below which no row is pending: no index holds the pending rows
 * alone (migration 008), and the sent rows kept for the retention are not walked.
 */
import { Gauge, type Registry } from 'prom-client';
import type { SqlDatabase } from '../sql/database.ts';
import { ofProducers } from './outbox-batches.ts';

/**
 * `producers`: those whose rows the relay sends; null for every producer. `floor`: the relay's
 * current scan floor (`OutboxBatches.floor`).
 */
export function registerBacklogGauges(
  metrics: Registry,
  db: SqlDatabase,
  producers: string[] | null,
  floor: () => number,
): void {
  const ofTheseProducers = ofProducers(producers);
  new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox rows not yet published (of the producers this relay sends)',
    registers: [metrics],
    async collect() {
      const row = await db.kysely
        .selectFrom('mvp_meta.outbox')
        .select((eb) => eb.fn.countAll<number>().as('pending'))
        .where('sent_at', 'is', null)
        .where('seq', '>=', floor())
        .where(ofTheseProducers)
        .executeTakeFirst();
      this.set(Number(row?.pending ?? 0));
    },
  });
  new Gauge({
    name: 'outbox_lag_seconds',
    help: 'Age of the oldest unpublished outbox row (of the producers this relay sends)',
    registers: [metrics],
    async collect() {
      const row = await db.kysely
        .selectFrom('mvp_meta.outbox')
        .select((eb) => eb.fn.min('created_at').as('oldest'))
        .where('sent_at', 'is', null)
        .where('seq', '>=', floor())
        .where(ofTheseProducers)
        .executeTakeFirst();
      const oldest = row?.oldest ? new Date(row.oldest as Date).getTime() : Date.now();
      this.set(Math.max(0, (Date.now() - oldest) / 1000));
    },
  });
}
