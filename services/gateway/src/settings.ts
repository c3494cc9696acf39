import type { ServiceContext } from '@necp/platform';
import { type Static, Type } from 'typebox';

/** The gateway's own settings: how it reaches the services and the edge's rules. */
export const GatewaySettingsSchema = Type.Object({
  /**
   * How the gateway reaches a service: `auto` hands the request to it directly when it runs in the
   * gateway's process (the all-in-one), over HTTP otherwise; `http` always over HTTP.
   */
  GATEWAY_UPSTREAM_TRANSPORT: Type.Union([Type.Literal('auto'), Type.Literal('http')], { default: 'auto' }),
  /** Request rates per minute (shared/API.md §1, §8); login is per IP and per login name. */
  RATE_LIMIT_PUBLIC_PER_MINUTE: Type.Integer({ minimum: 1, default: 300 }),
  RATE_LIMIT_ACCOUNT_PER_MINUTE: Type.Integer({ minimum: 1, default: 1200 }),
  RATE_LIMIT_LOGIN_PER_MINUTE: Type.Integer({ minimum: 1, default: 10 }),
  RATE_LIMIT_SIMULATIONS_PER_MINUTE: Type.Integer({ minimum: 1, default: 180 }),
  RATE_LIMIT_CRAFTING_JOBS_PER_MINUTE: Type.Integer({ minimum: 1, default: 60 }),
  RATE_LIMIT_WORLD_IMPACTS_PER_MINUTE: Type.Integer({ minimum: 1, default: 60 }),
  /** Browser origins the gateway answers CORS for: `*` or a comma-separated list; none when absent. */
  CORS_ORIGINS: Type.Optional(Type.String({ minLength: 1 })),
});

export type GatewaySettings = Static<typeof GatewaySettingsSchema>;

/** What the gateway's edge and routes are built from. */
export interface GatewayDeps {
  context: ServiceContext;
  settings: GatewaySettings;
}
