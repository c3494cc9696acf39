import { deadLetterTopic, Topics } from '@necp/contracts';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type Cache, createCache } from './cache/cache.ts';
import type { PlatformConfig } from './config.ts';
import type { EventBus } from './events/bus.ts';
import { createEventBus } from './events/create-event-bus.ts';
import { DebeziumOutbox } from './events/debezium-outbox.ts';
import { OutboxRelay } from './events/outbox-relay.ts';
import { createInProcessServices, type InProcessServices } from './http/in-process.ts';
import { createLogger } from './logger.ts';
import { createMetricsRegistry } from './metrics.ts';
import { createDatabase, type SqlDatabase } from './sql/database.ts';
import { migrate, platformMigrations } from './sql/migrations.ts';
import { disableTracing, enableTracing } from './tracing.ts';

/**
 * The adapters of one process, chosen by configuration: PGlite or PostgreSQL, in-process bus or
 * Kafka, memory or Redis. The all-in-one process shares one runtime among every service.
 */
export interface Runtime {
  readonly config: PlatformConfig;
  readonly logger: Logger;
  /** Process-level metrics (runtime, relay), served by every service's `/metrics`. */
  readonly metrics: Registry;
  readonly cache: Cache;
  readonly bus: EventBus;
  /** The services running in this process, for requests handed on without a network hop. */
  readonly inProcess: InProcessServices;
  /** The database, opened and given the platform's tables on first use. */
  database(): Promise<SqlDatabase>;
  /**
   * The database if this process has one: `DATABASE_URL` names it, or a service of the process
   * opened the embedded one. Never opens an embedded database by itself (a gateway alone keeps no
   * data); the deny-list reads ended sessions and bans from here.
   */
  existingDatabase?(): Promise<SqlDatabase | undefined>;
  /**
   * Starts the outbox relay unless Debezium relays (`OUTBOX_RELAY=off`); `producers`: the
   * producers whose rows it sends, unset for all. Either way, once per process: the outbox backlog
   * gauges and retention (the relay's, or DebeziumOutbox's) and the recording of dead letters.
   */
  startRelay(options?: { producers?: readonly string[] }): Promise<OutboxRelay | undefined>;
  close(): Promise<void>;
}

export async function createRuntime(config: PlatformConfig, processName: string): Promise<Runtime> {
  const logger = createLogger(processName, config.LOG_LEVEL);
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT)
    await enableTracing(config.OTEL_EXPORTER_OTLP_ENDPOINT, `necp-${processName}`);
  const metrics = createMetricsRegistry(processName);
  const cache = createCache(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  const bus = await createEventBus(config, logger, metrics);
  let database: Promise<SqlDatabase> | undefined;
  let relay: OutboxRelay | undefined;
  let debezium: DebeziumOutbox | undefined;
  let relaying: Promise<void> | undefined;

  const runtime: Runtime = {
    config,
    logger,
    metrics,
    cache,
    bus,
    inProcess: createInProcessServices(),
    database() {
      if (!database) {
        const opening = (async () => {
          const db = await createDatabase({
            databaseUrl: config.DATABASE_URL,
            dataDir: config.DATA_DIR,
            poolSize: config.DATABASE_POOL_SIZE,
          });
          await migrate(db, [platformMigrations]);
          return db;
        })();
        // A database that could not be opened (its server down) is tried again by the next caller.
        opening.catch(() => {
          if (database === opening) database = undefined;
        });
        database = opening;
      }
      return database;
    },
    existingDatabase() {
      return database || config.DATABASE_URL ? runtime.database() : Promise.resolve(undefined);
    },
    async startRelay(options = {}) {
      if (!relaying) {
        const starting = (async () => {
          const db = await runtime.database();
          if (config.OUTBOX_RELAY === 'off') {
            debezium = new DebeziumOutbox({
              db,
              logger,
              metrics,
              slot: config.OUTBOX_SLOT_NAME,
              retentionMs: config.OUTBOX_RETENTION_SECONDS * 1000,
            });
            debezium.start();
          } else {
            relay = relayOf(config, { db, bus, logger, metrics }, options);
            await relay.start();
          }
          await recordDeadLetters(runtime);
        })();
        // A start that failed (the database down) is tried again by the next caller.
        starting.catch(() => {
          if (relaying === starting) relaying = undefined;
        });
        relaying = starting;
      }
      await relaying;
      return relay;
    },
    async close() {
      await relay?.stop();
      await debezium?.stop();
      await bus.close();
      await cache.close();
      if (database) await (await database).close();
      await disableTracing();
    },
  };
  return runtime;
}

/** The outbox relay as the configuration sets it up (a test harness builds it the same way). */
export function relayOf(
  config: PlatformConfig,
  adapters: { db: SqlDatabase; bus: EventBus; logger: Logger; metrics: Registry },
  options: { producers?: readonly string[] } = {},
): OutboxRelay {
  return new OutboxRelay({
    ...options,
    ...adapters,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    lingerMs: config.OUTBOX_LINGER_MS,
    retentionMs: config.OUTBOX_RETENTION_SECONDS * 1000,
  });
}

/** Keeps every dead-lettered event in `mvp_meta.dead_letters`, where operators can see and replay it. */
async function recordDeadLetters(runtime: Runtime): Promise<void> {
  const db = await runtime.database();
  await runtime.bus.subscribe({
    group: 'platform.dead-letters',
    topics: Topics.map(deadLetterTopic),
    handle: async (record) => {
      await db.kysely
        .insertInto('mvp_meta.dead_letters')
        .values({
          consumer_group: record.headers['consumer-group'] ?? 'unknown',
          topic: record.topic,
          event_id: record.envelope.eventId,
          envelope: JSON.stringify(record.envelope),
          error: record.headers.error ?? 'unknown',
          attempts: Number(record.headers.attempts ?? 0),
        })
        .execute();
    },
  });
}
