import type { ServiceContext } from '@necp/platform';
import { type Static, Type } from 'typebox';
import type { EdgeRates } from './routes/edge-rates.ts';
import type { StreamHub } from './stream/hub.ts';

/** The gateway's own settings: how it reaches the services and the edge's rules. */
export const GatewaySettingsSchema = Type.Object({
  /**
   * How the gateway reaches a service: `auto` hands the request to it directly when it runs in the
   * gateway's process (the all-in-one), over HTTP otherwise; `http` always over HTTP.
   */
  GATEWAY_UPSTREAM_TRANSPORT: Type.Union([Type.Literal('auto'), Type.Literal('http')], { default: 'auto' }),
  /**
   * `on`: the proxied requests to a service in a process of its own go over one multiplexed channel
   * per service (a turn's requests in one write each way; the gateway proves EDGE_VOUCH_KEY once per
   * connection, and the service then takes the caller the gateway verified), over HTTP while the
   * channel is not connected or the service does not offer it. `off`: always HTTP. Without
   * EDGE_VOUCH_KEY there is no channel.
   */
  GATEWAY_SERVICE_CHANNEL: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  /** Request rates per minute (shared/API.md §1, §8); login is per IP and per login name. */
  RATE_LIMIT_PUBLIC_PER_MINUTE: Type.Integer({ minimum: 1, default: 300 }),
  RATE_LIMIT_ACCOUNT_PER_MINUTE: Type.Integer({ minimum: 1, default: 1200 }),
  RATE_LIMIT_LOGIN_PER_MINUTE: Type.Integer({ minimum: 1, default: 10 }),
  RATE_LIMIT_SIMULATIONS_PER_MINUTE: Type.Integer({ minimum: 1, default: 180 }),
  RATE_LIMIT_CRAFTING_JOBS_PER_MINUTE: Type.Integer({ minimum: 1, default: 60 }),
  RATE_LIMIT_WORLD_IMPACTS_PER_MINUTE: Type.Integer({ minimum: 1, default: 60 }),
  /**
   * How often this replica adds the counts of the per-address and per-account limits to the shared
   * ones (and reads the other replicas' back): those two count in memory between syncs.
   */
  RATE_LIMIT_SYNC_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 10_000, default: 200 }),
  /** Browser origins the gateway answers CORS for: `*` or a comma-separated list; none when absent. */
  CORS_ORIGINS: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * The realtime stream (`/api/v1/stream`). Its consumer group on Kafka is this replica's own,
   * `gateway.stream.<id>`: every replica receives every event. A random id per start when absent.
   */
  STREAM_INSTANCE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' })),
  /** The replay window a reconnecting client reads what it missed from: the last N events, none older than this. */
  STREAM_REPLAY_MAX_EVENTS: Type.Integer({ minimum: 0, default: 10_000 }),
  STREAM_REPLAY_MAX_AGE_SECONDS: Type.Integer({ minimum: 1, default: 300 }),
  /** A socket whose unsent bytes pass this is a slow client: it is closed rather than buffered without end. */
  STREAM_SEND_BUFFER_MAX_BYTES: Type.Integer({ minimum: 1, default: 1_048_576 }),
  /** How long a slow client's close handshake may take before its connection is cut. */
  STREAM_CLOSE_GRACE_MS: Type.Integer({ minimum: 1, default: 5_000 }),
  /** Keep-alive: a ping this often; a socket that did not answer the previous one is cut. */
  STREAM_PING_INTERVAL_MS: Type.Integer({ minimum: 10, default: 30_000 }),
  /** The largest message a client may send (a district subscription). */
  STREAM_CLIENT_MESSAGE_MAX_BYTES: Type.Integer({ minimum: 64, default: 4_096 }),
  /** Orders whose parties the gateway remembers (for escrow events, which name only the order). */
  STREAM_ORDER_MEMORY_MAX: Type.Integer({ minimum: 1, default: 100_000 }),
});

export type GatewaySettings = Static<typeof GatewaySettingsSchema>;

/** What the gateway's edge and routes are built from. */
export interface GatewayDeps {
  context: ServiceContext;
  settings: GatewaySettings;
  /** The edge's rate rules and counts, shared by its Fastify hooks and its front door. */
  rates: EdgeRates;
  /** This replica's realtime sockets and the events fanned out to them. */
  stream: StreamHub;
  /** Names this replica's consumer group for the stream (STREAM_INSTANCE_ID, or random per start). */
  instanceId: string;
}
