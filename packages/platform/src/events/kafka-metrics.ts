/**
 * The Kafka bus's metrics. Several buses may share one registry (a process running several
 * services), so each metric is taken from the registry when another bus registered it already.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { withTimeout } from './kafka-waits.ts';

export interface BusMetrics {
  published: Counter<'topic'>;
  publishSeconds: Histogram;
  publishFailures: Counter;
  consumed: Counter<'group' | 'topic'>;
  handlerFailures: Counter<'group' | 'topic'>;
  deadLettered: Counter<'group' | 'topic'>;
}

/** A subscription whose consumer lag the `kafka_consumer_lag` gauge reports. */
export interface LagSource {
  group: string;
  lag(): Promise<Map<string, bigint[]>>;
}

/** Consumer-lag sources per registry: one gauge per registry, however many buses share it. */
const lagSources = new WeakMap<Registry, Set<LagSource>>();

/** The lag sources of a registry that `busMetrics` has prepared. */
export function lagSourcesOf(registry: Registry): Set<LagSource> | undefined {
  return lagSources.get(registry);
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

export function busMetrics(registry: Registry): BusMetrics {
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
