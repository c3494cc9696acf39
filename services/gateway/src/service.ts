import { randomBytes } from 'node:crypto';
import { defineService } from '@necp/platform';
import { streamEventsConsumer } from './consumers/stream-events.ts';
import { streamKeepAlive } from './jobs/stream-keepalive.ts';
import { docsRoutes } from './routes/docs.ts';
import { EdgeRates } from './routes/edge-rates.ts';
import { healthRoutes } from './routes/health.ts';
import { proxyRoutes } from './routes/proxy.ts';
import { edgeSecurity } from './routes/security.ts';
import { streamRoutes, streamUpgrades } from './routes/stream.ts';
import { type GatewayDeps, GatewaySettingsSchema } from './settings.ts';
import { StreamHub } from './stream/hub.ts';

/** api-gateway: one entry point that routes by prefix and pushes events to sockets; it keeps no tables. */
export const gatewayService = defineService({
  name: 'gateway',
  description: 'NECP api-gateway: routing, JWT validation, RBAC, rate limits, realtime push',
  forwardsBodies: true,
  build: (context): GatewayDeps => {
    const settings = context.settings(GatewaySettingsSchema);
    const characters = context.characterAccess();
    const stream = new StreamHub({
      ownerOf: characters.ownerOf,
      logger: context.logger.child({ component: 'stream' }),
      replayMaxEvents: settings.STREAM_REPLAY_MAX_EVENTS,
      replayMaxAgeMs: settings.STREAM_REPLAY_MAX_AGE_SECONDS * 1000,
      sendBufferMaxBytes: settings.STREAM_SEND_BUFFER_MAX_BYTES,
      closeGraceMs: settings.STREAM_CLOSE_GRACE_MS,
      orderMemoryMax: settings.STREAM_ORDER_MEMORY_MAX,
      metrics: context.metrics,
    });
    const instanceId = settings.STREAM_INSTANCE_ID ?? randomBytes(8).toString('hex');
    return { context, settings, rates: new EdgeRates(context, settings), stream, instanceId };
  },
  // Upgrades first: its hooks mark an upgrade request before the edge may refuse it, so that a
  // refused upgrade's connection is closed after the answer.
  edge: async (app, deps) => {
    await streamUpgrades(app, deps);
    await edgeSecurity(app, deps);
  },
  // The edge has checked every request (tokens on all but the public routes) before these run.
  routes: [
    {
      prefix: '',
      defaultAccess: 'public',
      async routes(app, deps) {
        healthRoutes(app, deps);
        streamRoutes(app, deps);
        await docsRoutes(app, deps);
        await proxyRoutes(app, deps);
      },
    },
  ],
  consumers: (deps) => [streamEventsConsumer(deps)],
  jobs: [streamKeepAlive],
});
