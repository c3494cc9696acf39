import { randomUUID } from 'node:crypto';
import type { Topic, TopicPayload } from '@necp/contracts';
import type { InjectOptions } from 'fastify';
import { Registry } from 'prom-client';
import { serviceClientSecretVariable } from '../auth/client-secrets.ts';
import type { DenyList } from '../auth/deny-list.ts';
import { denyListFor } from '../auth/http-auth.ts';
import type { BusRecord, RetryPolicy } from '../events/bus.ts';
import { InProcessBus } from '../events/in-process-bus.ts';
import type { OutboxRelay } from '../events/outbox-relay.ts';
import { createInProcessServices } from '../http/in-process.ts';
import { createLogger } from '../logger.ts';
import { type Runtime, relayOf } from '../runtime.ts';
import type { ServiceDefinition } from '../service/definition.ts';
import { type RunningService, startService } from '../service.ts';
import type { SqlDatabase } from '../sql/database.ts';
import { connectTestDatabase, createTestCache, createTestDatabase, type TestDatabase, testConfig } from './adapters.ts';
import { type CallReply, callHttp } from './http-call.ts';
import { startTestIssuer, type TestIssuer } from './issuer.ts';

export interface ServiceUnderTestOptions {
  /** Variables over the test configuration. DATABASE_URL: join that database (a replica) instead of a fresh one. */
  env?: Record<string, string>;
  /**
   * The issuer (and stand-in peers) the service trusts through AUTH_URL, AUTH_ISSUER_URL and
   * CHARACTER_URL: a fresh one when absent, closed with the service; one the test shares between
   * services, left open; `false` for auth-service, which is its own issuer.
   */
  issuer?: TestIssuer | false;
  /** Starts the outbox relay for the service's own events, as the service alone in its process does. */
  relay?: boolean;
  /** The bus's retries; one attempt when absent, so a consumer's failure shows at once. */
  retry?: RetryPolicy;
}

export interface TestPlayer {
  accountId: string;
  token: string;
}

export interface InjectRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  url: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface InjectReply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely and check them with assertions
  body: any;
}

export interface EventToDeliver<T extends Topic> {
  key: string;
  payload: TopicPayload<T>;
  eventId?: string;
}

export interface ServiceUnderTest {
  /** The running instance's address (a new port after `start`). */
  readonly base: string;
  db: SqlDatabase;
  test: TestDatabase;
  /** The adapters the service runs on; `bus` is the running instance's. */
  runtime: Runtime;
  /** Throws for a service that is its own issuer (`issuer: false`). */
  readonly issuer: TestIssuer;
  /** The deny-list the service checks (in the runtime's cache): revoke a session or ban an account. */
  readonly denyList: DenyList;
  readonly service: RunningService;
  /** Over real HTTP; the body is JSON when JSON, text otherwise. */
  call(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<CallReply>;
  /** Straight into the service's Fastify app, without a socket (its requests are verified all the same). */
  inject(request: InjectRequest): Promise<InjectReply>;
  /** A new account with a token of `roles` (player by default). */
  player(roles?: string[]): Promise<TestPlayer>;
  token(accountId: string, roles?: string[]): Promise<string>;
  adminToken(): Promise<string>;
  /** Delivers an event to the service's consumers as the bus would; returns its envelope id. */
  deliver<T extends Topic>(topic: T, key: string, payload: TopicPayload<T>, eventId?: string): Promise<string>;
  /** Delivers events in one publish call (a consumer with batches gets them as one batch); returns their ids. */
  deliverAll<T extends Topic>(topic: T, events: EventToDeliver<T>[]): Promise<string[]>;
  /** Stops the instance (HTTP, consumers' bus, jobs, relay) as a crash would leave the database, then waits. */
  stop(): Promise<void>;
  /**
   * Starts a new instance on the same database and issuer, and the same cache unless `freshCache`:
   * then an empty one (a new memory cache, or Redis under a new prefix), as after a restart of a
   * process on memory or of a Redis that kept nothing.
   */
  start(options?: { freshCache?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/**
 * `definition` on a fresh database (PGlite, or a PostgreSQL database of its own with DATABASE_URL),
 * the test cache (memory, or Redis under a prefix of its own), and an in-process bus the test
 * delivers events through: a shared Kafka would make parallel test files replicas of one consumer
 * group over different databases. Its tokens come from a test issuer it reads over HTTP.
 */
export async function startServiceUnderTest(
  definition: ServiceDefinition,
  options: ServiceUnderTestOptions = {},
): Promise<ServiceUnderTest> {
  const env = options.env ?? {};
  const issuer = options.issuer === undefined ? await startTestIssuer() : options.issuer;
  const test = env.DATABASE_URL ? await connectTestDatabase(env.DATABASE_URL) : await createTestDatabase();
  const config = testConfig({
    ...(test.url ? { DATABASE_URL: test.url } : {}),
    ...(issuer
      ? {
          AUTH_URL: issuer.url,
          AUTH_ISSUER_URL: issuer.url,
          CHARACTER_URL: issuer.url,
          [serviceClientSecretVariable(definition.name)]: randomUUID() + randomUUID(),
        }
      : {}),
    ...env,
  });
  const logger = createLogger(`${definition.name}-test`, config.LOG_LEVEL);
  let cache = createTestCache();
  const retry = options.retry ?? { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 };
  let bus = new InProcessBus(logger, retry);
  let metrics = new Registry();
  let relay: OutboxRelay | undefined;
  let service: RunningService | undefined;
  const runtime: Runtime = {
    config,
    logger,
    get metrics() {
      return metrics;
    },
    get cache() {
      return cache;
    },
    get bus() {
      return bus;
    },
    inProcess: createInProcessServices(),
    database: async () => test.db,
    existingDatabase: async () => test.db,
    async startRelay(relayOptions = {}) {
      if (config.OUTBOX_RELAY === 'off' || relay) return relay;
      relay = relayOf(config, { db: test.db, bus, logger, metrics }, relayOptions);
      await relay.start();
      return relay;
    },
    // The harness owns the adapters: its `close` closes them.
    close: async () => undefined,
  };

  const boot = async () => {
    service = await startService(definition, runtime, { host: '127.0.0.1', port: 0 });
    if (options.relay) await runtime.startRelay({ producers: [definition.producer ?? definition.name] });
  };
  const halt = async () => {
    await service?.stop();
    await relay?.stop();
    await bus.close();
    service = undefined;
    relay = undefined;
    // The next instance gets a bus of its own and registers its metrics (the relay's among them) afresh.
    bus = new InProcessBus(logger, retry);
    metrics = new Registry();
  };
  const close = async () => {
    await halt();
    await cache.close();
    await test.close();
    if (issuer && options.issuer === undefined) await issuer.close();
  };
  try {
    await boot();
  } catch (error) {
    await close();
    throw error;
  }

  const running = (): RunningService => {
    if (!service) throw new Error(`${definition.name} is stopped`);
    return service;
  };
  const trusted = (): TestIssuer => {
    if (!issuer) throw new Error(`${definition.name} is its own issuer here: ask it for tokens`);
    return issuer;
  };
  const deliverAll: ServiceUnderTest['deliverAll'] = async (topic, events) => {
    const records: BusRecord[] = events.map(({ key, payload, eventId = randomUUID() }) => ({
      topic,
      key,
      headers: {},
      envelope: {
        eventId,
        type: topic,
        occurredAt: new Date().toISOString(),
        producer: 'test',
        traceId: randomUUID().replaceAll('-', ''),
        key,
        payload,
      },
    }));
    await bus.publish(records);
    return records.map((record) => record.envelope.eventId);
  };
  const token = (accountId: string, roles: string[] = ['player']) => trusted().token(accountId, roles);

  return {
    get base() {
      return `http://127.0.0.1:${running().port}`;
    },
    db: test.db,
    test,
    runtime,
    get issuer() {
      return trusted();
    },
    get denyList() {
      return denyListFor({ config, cache });
    },
    get service() {
      return running();
    },
    call: (method, path, token, body, headers) =>
      callHttp(`http://127.0.0.1:${running().port}`, method, path, {
        ...(token === undefined ? {} : { token }),
        body,
        ...(headers ? { headers } : {}),
      }),
    async inject(request) {
      const headers: Record<string, string> = { ...request.headers };
      if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
      const response = await running().http.app.inject({
        method: request.method,
        url: request.url,
        headers,
        ...(request.body === undefined ? {} : { payload: request.body as InjectOptions['payload'] }),
      });
      const isJson = String(response.headers['content-type'] ?? '').includes('json');
      return {
        status: response.statusCode,
        headers: response.headers,
        body: response.body.length > 0 && isJson ? JSON.parse(response.body) : response.body,
      };
    },
    async player(roles = ['player']) {
      const accountId = randomUUID();
      return { accountId, token: await token(accountId, roles) };
    },
    token,
    adminToken: () => token(randomUUID(), ['admin']),
    deliver: async (topic, key, payload, eventId) =>
      (await deliverAll(topic, [{ key, payload, ...(eventId ? { eventId } : {}) }]))[0] as string,
    deliverAll,
    stop: halt,
    async start(options = {}) {
      if (options.freshCache) {
        await cache.close();
        cache = createTestCache();
      }
      await boot();
    },
    close,
  };
}
