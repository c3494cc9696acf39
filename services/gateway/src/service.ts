import { defineService } from '@necp/platform';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { proxyRoutes } from './routes/proxy.ts';
import { edgeSecurity } from './routes/security.ts';
import { GatewaySettingsSchema } from './settings.ts';

/** api-gateway: one entry point that routes by prefix; it keeps no tables. */
export const gatewayService = defineService({
  name: 'gateway',
  description: 'NECP api-gateway: routing, JWT validation, RBAC, rate limits, realtime push',
  forwardsBodies: true,
  build: (context) => ({ context, settings: context.settings(GatewaySettingsSchema) }),
  edge: edgeSecurity,
  // The edge has checked every request (tokens on all but the public routes) before these run.
  routes: [
    {
      prefix: '',
      defaultAccess: 'public',
      async routes(app, deps) {
        healthRoutes(app, deps);
        await docsRoutes(app, deps);
        await proxyRoutes(app, deps);
      },
    },
  ],
});
