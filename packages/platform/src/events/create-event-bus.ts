import { deadLetterTopic, Topics } from '@necp/contracts';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { PlatformConfig } from '../config.ts';
import type { EventBus } from './bus.ts';
import { InProcessBus } from './in-process-bus.ts';
import { parseBrokers, topicsWithDeadLetters } from './kafka-records.ts';

/**
 * Kafka when `KAFKA_BROKERS` is set, the in-process bus otherwise. The Kafka bus creates the
 * catalogue's topics and their dead-letter topics when absent, before anything publishes.
 */
export async function createEventBus(config: PlatformConfig, logger: Logger, metrics: Registry): Promise<EventBus> {
  if (!config.KAFKA_BROKERS) return new InProcessBus(logger);
  // Loaded only when used: the Kafka client is a quarter of the embedded mode's start-up.
  const { KafkaBus } = await import('./kafka-bus.ts');
  const bus = new KafkaBus({
    brokers: parseBrokers(config.KAFKA_BROKERS),
    clientId: config.KAFKA_CLIENT_ID ?? 'necp-backend',
    logger,
    metrics,
    partitions: config.KAFKA_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    fetchLingerMs: config.KAFKA_FETCH_LINGER_MS,
    maxFetchLingerMs: config.KAFKA_FETCH_LINGER_MAX_MS,
    commitIntervalMs: config.KAFKA_COMMIT_INTERVAL_MS,
  });
  try {
    await bus.ensureTopics(topicsWithDeadLetters(Topics, deadLetterTopic));
  } catch (error) {
    await bus.close();
    throw new Error(
      `KAFKA_BROKERS: could not prepare the topics on ${config.KAFKA_BROKERS}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return bus;
}
