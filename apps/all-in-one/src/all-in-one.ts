import {
  createRuntime,
  type PlatformConfig,
  type RunningService,
  type Runtime,
  type ServiceName,
  servicePort,
  startService,
} from '@necp/platform';
import { allServices } from './services.ts';

export interface AllInOne {
  runtime: Runtime;
  services: RunningService[];
  portOf(service: ServiceName): number;
  stop(): Promise<void>;
}

/**
 * Every service in one process on one runtime (one database, one bus, one cache), each on its own
 * port. `ports` overrides the configured ones (tests use 0 for free ports).
 */
export async function startAllInOne(
  config: PlatformConfig,
  ports: Partial<Record<ServiceName, number>> = {},
): Promise<AllInOne> {
  const runtime = await createRuntime(config, 'all-in-one');
  const services: RunningService[] = [];
  try {
    for (const definition of allServices) {
      const port = ports[definition.name] ?? servicePort(definition.name);
      services.push(await startService(definition, runtime, { host: config.HOST, port }));
    }
    await runtime.startRelay();
  } catch (error) {
    await Promise.allSettled(services.map((service) => service.stop()));
    await runtime.close();
    throw error;
  }
  return {
    runtime,
    services,
    portOf(name) {
      const service = services.find((each) => each.name === name);
      if (!service) throw new Error(`${name} is not running`);
      return service.port;
    },
    async stop() {
      // The gateway first, so no new work reaches the services while they drain.
      for (const service of [...services].reverse()) await service.stop();
      await runtime.close();
    },
  };
}
