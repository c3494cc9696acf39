import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { authenticatorFor } from './auth/http-auth.ts';
import {
  ConfigError,
  loadConfig,
  loadPlatformConfig,
  type PlatformConfig,
  type ServiceName,
  servicePort,
} from './config.ts';
import { sweepProcessedEvents } from './events/processed-events-sweeper.ts';
import { serveChannel } from './http/channel-server.ts';
import { createHttpService, type HttpService, type ReadinessCheck } from './http/http-service.ts';
import { createLogger } from './logger.ts';
import { createCharacterAccess } from './ownership/character-access.ts';
import { characterServiceClientFor } from './ownership/character-ownership.ts';
import { registerRouteGroups } from './routes/route-groups.ts';
import { createRuntime, type Runtime } from './runtime.ts';
import type { ComposedService, ServiceContext, ServiceDefinition, StopJob } from './service/definition.ts';
import type { SqlDatabase } from './sql/database.ts';
import { sweepIdempotencyKeys } from './sql/idempotency-sweeper.ts';
import { migrate } from './sql/migrations.ts';

export interface RunningService {
  name: ServiceName;
  port: number;
  http: HttpService;
  context: ServiceContext;
  /** The service's database; undefined for a service without tables. */
  db: SqlDatabase | undefined;
  /** Drains in-flight requests, then stops the service's jobs. The runtime closes separately. */
  stop(): Promise<void>;
}

function contextOf(definition: ServiceDefinition, runtime: Runtime): ServiceContext {
  const logger = createLogger(definition.name, runtime.config.LOG_LEVEL);
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: definition.name });
  const authenticator = authenticatorFor(runtime);
  const characterService = characterServiceClientFor(runtime.config, definition.name);
  return {
    name: definition.name,
    config: runtime.config,
    logger,
    metrics,
    cache: runtime.cache,
    bus: runtime.bus,
    inProcess: runtime.inProcess,
    authenticator,
    settings: (schema) => loadConfig(schema, runtime.config.env),
    characterService,
    characterAccess: (options) => createCharacterAccess(runtime.cache, characterService, options),
  };
}

/** Jobs every service with tables runs: the sweepers of its Idempotency-Keys and processed events. */
function platformJobs(composed: ComposedService, context: ServiceContext, db: SqlDatabase): (() => Promise<StopJob>)[] {
  const jobs = [async () => sweepIdempotencyKeys(db, context.logger)];
  const groups = [...new Set(composed.subscriptions.map((each) => each.group))];
  if (groups.length > 0) {
    const retentionMs = context.config.PROCESSED_EVENTS_RETENTION_HOURS * 3_600_000;
    jobs.push(async () => sweepProcessedEvents(db, context.logger, groups, retentionMs));
  }
  return jobs;
}

export async function startService(
  definition: ServiceDefinition,
  runtime: Runtime,
  listen: { host: string; port: number },
): Promise<RunningService> {
  const context = contextOf(definition, runtime);
  const { logger } = context;
  let db: SqlDatabase | undefined;
  if (definition.migrations) {
    db = await runtime.database();
    const applied = await migrate(db, [{ scope: definition.name, directory: definition.migrations }]);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  const composed = await definition.compose(context, db);
  const authenticator = composed.authenticator ?? context.authenticator;
  const readiness: Record<string, ReadinessCheck> = {
    bus: () => runtime.bus.ping(),
    cache: () => runtime.cache.ping(),
    // Without the issuer's keys no token verifies: every authenticated request would fail.
    issuer: () => authenticator.verifier.reachIssuer(),
    ...composed.readiness,
  };
  if (db) readiness.database = () => (db as SqlDatabase).ping();

  const http = await createHttpService({
    name: definition.name,
    description: definition.description,
    host: listen.host,
    port: listen.port,
    logger,
    metrics: context.metrics,
    processMetrics: runtime.metrics,
    bodyLimit: runtime.config.BODY_LIMIT_BYTES,
    drainTimeoutMs: Math.floor(runtime.config.SHUTDOWN_TIMEOUT_MS / 2),
    readiness,
    routes: async (app) => {
      await composed.edge(app);
      await registerRouteGroups(app, composed.routes, authenticator);
    },
    forwardsBodies: definition.forwardsBodies,
  });
  for (const subscription of composed.subscriptions) await runtime.bus.subscribe(subscription);
  const jobs = [...composed.jobs, ...(db ? platformJobs(composed, context, db) : [])];
  const stopJobs = await Promise.all(jobs.map((job) => job()));
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
  // The gateway's channel (channel-server.ts), offered by every service behind it when the deployment has the key.
  const key = runtime.config.EDGE_VOUCH_KEY;
  const channel =
    key && definition.name !== 'gateway' ? serveChannel(http.app.server, http.app.routing, key, logger) : undefined;
  return {
    name: definition.name,
    port,
    http,
    context,
    db,
    async stop() {
      runtime.inProcess.unregister(definition.name);
      await Promise.all([channel?.close(Math.floor(runtime.config.SHUTDOWN_TIMEOUT_MS / 2)), http.close()]);
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

/** A service's own settings are read while it starts: a wrong value stops the process as `configOrExit` does. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  throw error;
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
  const service = await startService(definition, runtime, { host: config.HOST, port }).catch(exitOnConfigError);
  // Alone in its process, the relay sends this service's own events.
  if (definition.migrations) await runtime.startRelay({ producers: [definition.producer ?? definition.name] });
  onShutdownSignal(runtime.logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
    await service.stop();
    await runtime.close();
  });
  return service;
}
