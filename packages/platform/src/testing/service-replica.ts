import { Registry } from 'prom-client';
import { createInProcessServices } from '../http/in-process.ts';
import type { Runtime } from '../runtime.ts';
import type { ServiceDefinition } from '../service/definition.ts';
import { startService } from '../service.ts';
import type { ServiceUnderTest } from './service-under-test.ts';

export interface ServiceReplica {
  base: string;
  stop(): Promise<void>;
}

/**
 * A second replica of a service under test: another instance on its own port, with its own memory,
 * metrics and (on PostgreSQL) its own connection pool, sharing the first's database, cache and bus, as
 * two processes share PostgreSQL and Redis.
 */
export async function startReplica(definition: ServiceDefinition, first: ServiceUnderTest): Promise<ServiceReplica> {
  const database = first.test.url ? await first.test.connectAgain() : first.db;
  const runtime: Runtime = {
    config: first.runtime.config,
    logger: first.runtime.logger,
    metrics: new Registry(),
    cache: first.runtime.cache,
    bus: first.runtime.bus,
    inProcess: createInProcessServices(),
    database: async () => database,
    existingDatabase: async () => database,
    startRelay: async () => undefined,
    close: async () => undefined,
  };
  const replica = await startService(definition, runtime, { host: '127.0.0.1', port: 0 });
  return { base: `http://127.0.0.1:${replica.port}`, stop: () => replica.stop() };
}
