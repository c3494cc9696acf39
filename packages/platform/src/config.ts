import { type Static, type TObject, Type } from 'typebox';
import { Value } from 'typebox/value';

/** Raised at start when an environment variable is missing or malformed; names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads `schema`'s properties from the environment: defaults applied, strings converted to the
 * declared types, then checked. Every failure names its variable so a wrong value stops the process
 * with a message an operator can act on.
 */
export function loadConfig<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  const problems = [...Value.Errors(schema, converted)].map((error) => {
    const variable = error.instancePath.replace(/^\//, '') || missingProperty(error.params);
    const got = variable && raw[variable] !== undefined ? ` (got ${JSON.stringify(raw[variable])})` : '';
    return `${variable || 'configuration'}: ${error.message}${got}`;
  });
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return converted as Static<S>;
}

function missingProperty(params: unknown): string {
  if (params && typeof params === 'object' && 'requiredProperties' in params) {
    return String((params as { requiredProperties: string[] }).requiredProperties.join(', '));
  }
  return '';
}

const PostgresUrl = Type.String({ pattern: '^postgres(ql)?://.+' });
const RedisUrl = Type.String({ pattern: '^rediss?://.+' });
const HttpUrl = Type.String({ pattern: '^https?://.+' });

/** The services and their default ports (shared/API.md). */
export const ServicePorts = {
  gateway: 8080,
  auth: 8081,
  character: 8082,
  gameplay: 8083,
  social: 8084,
  economy: 8085,
  world: 8086,
} as const;
export type ServiceName = keyof typeof ServicePorts;
export const ServiceNames = Object.keys(ServicePorts) as ServiceName[];

/** `<SERVICE>_URL` variable name of a service (e.g. ECONOMY_URL). */
export function serviceUrlVariable(service: ServiceName): string {
  return `${service.toUpperCase()}_URL`;
}

const serviceUrlProperties = Object.fromEntries(
  ServiceNames.map((service) => [
    serviceUrlVariable(service),
    Type.String({ ...HttpUrl, default: `http://127.0.0.1:${ServicePorts[service]}` }),
  ]),
);

/** Configuration every process reads (ARCHITECTURE.md, Configuration). */
export const PlatformConfigSchema = Type.Object({
  DATABASE_URL: Type.Optional(PostgresUrl),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  /** Connections in this process's PostgreSQL pool (shared by every service of the all-in-one process). */
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
  REDIS_URL: Type.Optional(RedisUrl),
  /** Put before every Redis key of this process, so deployments (or test runs) can share one Redis. */
  REDIS_KEY_PREFIX: Type.String({ default: 'necp:', pattern: '^[\\w.:-]*$' }),
  KAFKA_BROKERS: Type.Optional(Type.String({ pattern: '^[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*$' })),
  /** Partitions and replication factor of the topics created at start when absent. */
  KAFKA_PARTITIONS: Type.Integer({ minimum: 1, default: 3 }),
  KAFKA_REPLICATION_FACTOR: Type.Integer({ minimum: 1, default: 1 }),
  /** Client id the brokers see (quotas, logs); `necp-backend` when absent. */
  KAFKA_CLIENT_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]+$' })),
  /** After a fetch that brought messages, the wait before a subscription's next fetch (see FetchPacing). */
  KAFKA_FETCH_LINGER_MS: Type.Integer({ minimum: 0, maximum: 1_000, default: 15 }),
  /**
   * How far that wait grows while fetches keep bringing few messages (see FetchPacing): the most
   * an event waits for its fetch under a steady trickle. Below KAFKA_FETCH_LINGER_MS: a fixed linger.
   */
  KAFKA_FETCH_LINGER_MAX_MS: Type.Integer({ minimum: 0, maximum: 1_000, default: 60 }),
  /**
   * Handled offsets are committed at most this often per subscription (see CoalescedCommits). Each
   * commit is a write to the broker's offsets log: at 200 ms the order journeys' subscriptions sent
   * more commits than fetches; a crash redelivers at most this long's events, skipped by event id.
   */
  KAFKA_COMMIT_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1_000 }),
  OIDC_ISSUER: Type.Optional(HttpUrl),
  TIME_SCALE: Type.Number({ exclusiveMinimum: 0, default: 1 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(HttpUrl),
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  /** `off` when Debezium relays the outbox instead of the built-in relay. */
  OUTBOX_RELAY: Type.Union([Type.Literal('builtin'), Type.Literal('off')], { default: 'builtin' }),
  /** With `OUTBOX_RELAY=off`: Debezium's replication slot (`slot.name`), whose lag is the outbox backlog. */
  OUTBOX_SLOT_NAME: Type.String({ default: 'necp_outbox', pattern: '^[a-z0-9_]{1,63}$' }),
  OUTBOX_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 500 }),
  /** How long the relay lets rows gather once its backlog is drained: the events' added latency. */
  OUTBOX_LINGER_MS: Type.Integer({ minimum: 0, default: 20 }),
  /** How long rows stay in the outbox after they were sent, before the relay deletes them. */
  OUTBOX_RETENTION_SECONDS: Type.Integer({ minimum: 0, default: 3_600 }),
  /** How long consumers remember the events they processed (duplicates come while Kafka still holds an event). */
  PROCESSED_EVENTS_RETENTION_HOURS: Type.Integer({ minimum: 1, default: 168 }),
  ...serviceUrlProperties,
  /** The audience every access token must name (Keycloak: add an audience mapper for it). */
  OIDC_AUDIENCE: Type.String({ default: 'necp-api', minLength: 1 }),
  /** `iss` of the tokens auth-service signs: where clients reach `/.well-known` (the gateway). */
  AUTH_ISSUER_URL: Type.String({ ...HttpUrl, default: 'http://127.0.0.1:8080' }),
  /** Longest life of an access token; also how long deny-list entries live. */
  AUTH_ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, default: 900 }),
  /**
   * A key the gateway and the services share (auth/edge-vouch.ts): the gateway signs each caller it
   * verified with it, and a service then skips its second deny-list check. Unset: every service
   * checks every token itself.
   */
  EDGE_VOUCH_KEY: Type.Optional(Type.String({ minLength: 32 })),
  /** `<SERVICE>_CLIENT_SECRET`: each service's client-credentials secret at the issuer (auth reads all). */
  ...Object.fromEntries(
    ServiceNames.map((service) => [
      `${service.toUpperCase()}_CLIENT_SECRET`,
      Type.Optional(Type.String({ minLength: 24 })),
    ]),
  ),
});

export type PlatformConfig = Static<typeof PlatformConfigSchema> & {
  /** The environment this configuration was read from: each service reads its own settings from it. */
  readonly env: Readonly<NodeJS.ProcessEnv>;
};

/**
 * The URLs a process derives from ports when they are not set: `<SERVICE>_URL` follows `<SERVICE>_PORT`,
 * and the issuer (clients reach it through the gateway) follows `GATEWAY_PORT`, so moving a service to
 * another port is one variable, as README says.
 */
function urlsFollowingPorts(env: NodeJS.ProcessEnv): Record<string, string> {
  const derived: Record<string, string> = {};
  for (const service of ServiceNames) {
    if (env[`${service.toUpperCase()}_PORT`] === undefined) continue;
    const url = `http://127.0.0.1:${servicePort(service, env)}`;
    if (env[serviceUrlVariable(service)] === undefined) derived[serviceUrlVariable(service)] = url;
    if (service === 'gateway' && env.AUTH_ISSUER_URL === undefined) derived.AUTH_ISSUER_URL = url;
  }
  return derived;
}

export function loadPlatformConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const withDerivedUrls = { ...env, ...urlsFollowingPorts(env) };
  return { ...loadConfig(PlatformConfigSchema, withDerivedUrls), env: withDerivedUrls };
}

export function serviceUrl(config: PlatformConfig, service: ServiceName): string {
  return (config as Record<string, unknown>)[serviceUrlVariable(service)] as string;
}

/** The port a service listens on: `<SERVICE>_PORT` or its default. */
export function servicePort(service: ServiceName, env: NodeJS.ProcessEnv = process.env): number {
  const variable = `${service.toUpperCase()}_PORT`;
  const { [variable]: port } = loadConfig(
    Type.Object({ [variable]: Type.Integer({ minimum: 0, maximum: 65535, default: ServicePorts[service] }) }),
    env,
  );
  return port as number;
}
