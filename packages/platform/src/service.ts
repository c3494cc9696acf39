import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Cache } from './cache/cache.ts';
import { ConfigError, loadPlatformConfig, type PlatformConfig, type ServiceName, servicePort } from './config.ts';
import type { EventBus, Subscription } from './events/bus.ts';
import { processedEventsSweeper } from './events/processed-events-sweeper.ts';
import { createHttpService, type HttpApp, type HttpService, type ReadinessCheck } from './http/http-service.ts';
import type { InProcessServices } from './http/in-process.ts';
import { createLogger } from './logger.ts';
import { createRuntime, type Runtime } from './runtime.ts';
import type { SqlDatabase } from './sql/database.ts';
import { migrate } from './sql/migrations.ts';

/** What a service's routes, consumers and jobs are built from. */
export interface ServiceContext {
  name: ServiceName;
  config: PlatformConfig;
  logger: Logger;
  /** The service's own metrics (its `/metrics` also shows the process-level ones). */
  metrics: Registry;
  cache: Cache;
  bus: EventBus;
  /** The other services of this process (all of them in the all-in-one process, none otherwise). */
  inProcess: InProcessServices;
  /** Present when the definition has migrations (the gateway keeps no tables). */
  db: SqlDatabase | undefined;
}

/** A background job of a service (a scheduler, a sweeper); resolves with its stop function. */
export type BackgroundJob = (context: ServiceContext) => Promise<() => Promise<void>>;

export interface ServiceDefinition {
  name: ServiceName;
  description: string;
  /** The folder of the service's SQL migrations; a service without tables has none. */
  migrations?: URL;
  /** The `producer` its events carry in the outbox, when it is not the service's name. */
  producer?: string;
  routes(app: HttpApp, context: ServiceContext): void | Promise<void>;
  subscriptions?(context: ServiceContext): Subscription[];
  readiness?(context: ServiceContext): Record<string, ReadinessCheck>;
  jobs?: BackgroundJob[];
  /** See `HttpServiceOptions.forwardsBodies` (the gateway). */
  forwardsBodies?: boolean;
}

export interface RunningService {
  name: ServiceName;
  port: number;
  http: HttpService;
  context: ServiceContext;
  /** Drains in-flight requests, then stops the service's jobs. The runtime closes separately. */
  stop(): Promise<void>;
}

export async function startService(
  definition: ServiceDefinition,
  runtime: Runtime,
  listen: { host: string; port: number },
): Promise<RunningService> {
  const logger = createLogger(definition.name, runtime.config.LOG_LEVEL);
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: definition.name });
  let db: SqlDatabase | undefined;
  if (definition.migrations) {
    db = await runtime.database();
    const applied = await migrate(db, [{ scope: definition.name, directory: definition.migrations }]);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  const context: ServiceContext = {
    name: definition.name,
    config: runtime.config,
    logger,
    metrics,
    cache: runtime.cache,
    bus: runtime.bus,
    inProcess: runtime.inProcess,
    db,
  };
  const readiness: Record<string, ReadinessCheck> = {
    bus: () => runtime.bus.ping(),
    cache: () => runtime.cache.ping(),
    ...definition.readiness?.(context),
  };
  if (db) readiness.database = () => (db as SqlDatabase).ping();

  const http = await createHttpService({
    name: definition.name,
    description: definition.description,
    host: listen.host,
    port: listen.port,
    logger,
    metrics,
    processMetrics: runtime.metrics,
    bodyLimit: runtime.config.BODY_LIMIT_BYTES,
    drainTimeoutMs: Math.floor(runtime.config.SHUTDOWN_TIMEOUT_MS / 2),
    readiness,
    routes: (app) => definition.routes(app, context),
    forwardsBodies: definition.forwardsBodies ?? false,
  });
  const subscriptions = definition.subscriptions?.(context) ?? [];
  for (const subscription of subscriptions) await runtime.bus.subscribe(subscription);
  const jobs = [...(definition.jobs ?? [])];
  if (context.db && subscriptions.length > 0) {
    const retentionMs = runtime.config.PROCESSED_EVENTS_RETENTION_HOURS * 3_600_000;
    jobs.push(processedEventsSweeper([...new Set(subscriptions.map((each) => each.group))], retentionMs));
  }
  const stopJobs = await Promise.all(jobs.map((job) => job(context)));
  let port: number;
  try {
    port = await http.listen();
  } catch (error) {
    // A port already taken must not leave this service's jobs and server keeping the process alive.
    await Promise.all(stopJobs.map((stopJob) => stopJob()));
    await http.close();
    throw error;
  }
  logger.info({ port }, `${definition.name} listening`);
  runtime.inProcess.register(definition.name, http.app.routing);
  return {
    name: definition.name,
    port,
    http,
    context,
    async stop() {
      runtime.inProcess.unregister(definition.name);
      await http.close();
      await Promise.all(stopJobs.map((stopJob) => stopJob()));
    },
  };
}

/** Stops on SIGINT/SIGTERM; a second signal or the timeout forces the exit. */
export function onShutdownSignal(logger: Logger, timeoutMs: number, shutdown: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests');
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => handle('SIGINT'));
  process.once('SIGTERM', () => handle('SIGTERM'));
}

/** Reads the configuration or stops the process with a message naming the wrong variable. */
export function configOrExit(): PlatformConfig {
  try {
    return loadPlatformConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/** `services/<name>/src/main.ts`: one service in its own process. */
export async function runStandalone(definition: ServiceDefinition): Promise<RunningService> {
  const config = configOrExit();
  let port: number;
  try {
    port = servicePort(definition.name);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(78);
  }
  const runtime = await createRuntime(config, definition.name);
  const service = await startService(definition, runtime, { host: config.HOST, port });
  // Alone in its process, the relay sends this service's own events.
  if (definition.migrations) await runtime.startRelay({ producers: [definition.producer ?? definition.name] });
  onShutdownSignal(runtime.logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
    await service.stop();
    await runtime.close();
  });
  return service;
}
