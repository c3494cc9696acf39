import type { ServiceDefinition } from '@necp/platform';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { proxyRoutes } from './routes/proxy.ts';
import { securityRoutes } from './routes/security.ts';

/** api-gateway: one entry point that routes by prefix; it keeps no tables. */
export const gatewayService: ServiceDefinition = {
  name: 'gateway',
  description: 'NECP api-gateway: routing, JWT validation, RBAC, rate limits, realtime push',
  forwardsBodies: true,
  async routes(app, context) {
    await securityRoutes(app, context);
    healthRoutes(app, context);
    await docsRoutes(app, context);
    await proxyRoutes(app, context);
  },
};
