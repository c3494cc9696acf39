import { defineService } from '@necp/platform';
import { ballisticsReactions, craftingReactions, orderReactions } from './consumers/reactions.ts';
import { openCity } from './flows/city-clock.ts';
import type { WorldDeps } from './flows/deps.ts';
import { cityClockJob } from './jobs/city-clock.ts';
import { districtRoutes } from './routes/districts.ts';
import { impactRoutes } from './routes/impacts.ts';
import { scenarioRoutes } from './routes/scenarios.ts';
import { WorldSettingsSchema } from './settings.ts';
import type { WorldTables } from './store/tables.ts';

const prefix = '/api/v1/world';

/** world-service: districts, city unrest, impacts and escalation scenarios (shared/API.md §7). */
export const worldService = defineService<WorldDeps>({
  name: 'world',
  description: 'NECP world-service: districts, city unrest, impacts and escalation scenarios',
  migrations: new URL('../migrations/', import.meta.url),
  async build(context) {
    const db = context.db.typed<WorldTables>();
    // The districts exist before the consumers start (they subscribe before the jobs run).
    await openCity(db, new Date());
    return {
      database: context.db,
      db,
      settings: context.settings(WorldSettingsSchema),
      timeScale: context.config.TIME_SCALE,
      logger: context.logger,
    };
  },
  routes: [
    { prefix, routes: districtRoutes },
    { prefix: `${prefix}/impact`, routes: impactRoutes },
    { prefix: `${prefix}/scenarios`, routes: scenarioRoutes },
  ],
  consumers: (deps) => [orderReactions(deps), ballisticsReactions(deps), craftingReactions(deps)],
  jobs: [cityClockJob],
});
