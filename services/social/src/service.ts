import { defineService, serviceClientFor } from '@necp/platform';
import { escrowEventsConsumer } from './consumers/escrow.ts';
import { cachedFacts, characterFactsVia } from './flows/character-facts.ts';
import type { SocialDeps } from './flows/deps.ts';
import { economyEscrowClient } from './flows/escrow-client.ts';
import { socialSchedulesJob } from './jobs/schedules.ts';
import { applicationRoutes } from './routes/applications.ts';
import { internalRoutes } from './routes/internal.ts';
import { orderRoutes } from './routes/orders.ts';
import { ratingRoutes } from './routes/ratings.ts';
import { SocialSettingsSchema } from './settings.ts';
import type { SocialTables } from './store/tables.ts';

const prefix = '/api/v1/social';

/** social-service: player orders on economy's escrow, applications, disputes and arbitration, ratings. */
export const socialService = defineService<SocialDeps>({
  name: 'social',
  description: 'NECP social-service: player orders, ratings, arbitration',
  migrations: new URL('../migrations/', import.meta.url),
  build(context) {
    return {
      database: context.db,
      db: context.db.typed<SocialTables>(),
      characters: context.characterAccess(),
      facts: cachedFacts(context.cache, characterFactsVia(context.characterService)),
      escrow: economyEscrowClient(serviceClientFor(context.config, 'social', 'economy')),
      settings: context.settings(SocialSettingsSchema),
      timeScale: context.config.TIME_SCALE,
      logger: context.logger,
    };
  },
  routes: [
    { prefix, routes: ratingRoutes },
    { prefix: `${prefix}/orders`, routes: orderRoutes },
    { prefix: `${prefix}/orders/:orderId/applications`, routes: applicationRoutes },
    { prefix: '/internal/v1/orders', routes: internalRoutes },
  ],
  consumers: (deps) => [escrowEventsConsumer(deps)],
  jobs: [socialSchedulesJob],
});
