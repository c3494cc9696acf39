import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConfigError, type PlatformConfig } from '../config.ts';
import type { EventBus } from './bus.ts';
import { InProcessBus } from './in-process-bus.ts';

/** Kafka when `KAFKA_BROKERS` is set, the in-process bus otherwise. */
export async function createEventBus(config: PlatformConfig, logger: Logger, _metrics: Registry): Promise<EventBus> {
  if (config.KAFKA_BROKERS) {
    throw new ConfigError('KAFKA_BROKERS: the Kafka event bus adapter is not built yet (issue 3); unset it');
  }
  return new InProcessBus(logger);
}
