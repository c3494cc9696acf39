import { defineService, VersionedCopies } from '@necp/platform';
import type { GameplayDeps } from './flows/deps.ts';
import type { LoadoutCopy } from './flows/loadout-copies.ts';
import { SimulationWrites } from './flows/simulation-writes.ts';
import { simulationRetentionJob } from './jobs/simulation-retention.ts';
import { abilityRoutes } from './routes/abilities.ts';
import { ballisticsRoutes } from './routes/ballistics.ts';
import { weaponModRoutes } from './routes/weapon-mods.ts';
import { GameplaySettingsSchema } from './settings.ts';
import type { GameplayTables } from './store/tables.ts';

const combat = '/api/v1/gameplay/combat';

/** gameplay-service: combat, ballistics, weapon mods, skills and cooldowns (shared/API.md §4). */
export const gameplayService = defineService<GameplayDeps>({
  name: 'gameplay',
  description: 'NECP gameplay-service: combat, ballistics, weapon mods, skills',
  migrations: new URL('../migrations/', import.meta.url),
  build: (context) => {
    const settings = context.settings(GameplaySettingsSchema);
    const db = context.db.typed<GameplayTables>();
    return {
      database: context.db,
      db,
      characterService: context.characterService,
      cache: context.cache,
      timeScale: context.config.TIME_SCALE,
      settings,
      loadouts: new VersionedCopies<LoadoutCopy>({
        ttlSeconds: settings.GAMEPLAY_LOADOUT_COPY_SECONDS,
        limit: settings.GAMEPLAY_LOADOUT_COPIES,
      }),
      simulationWrites: new SimulationWrites(db, settings.GAMEPLAY_SIMULATION_WRITE_BATCH),
    };
  },
  routes: [
    { prefix: `${combat}/ballistics`, routes: ballisticsRoutes },
    { prefix: `${combat}/weapon-mods`, routes: weaponModRoutes },
    { prefix: combat, routes: abilityRoutes },
  ],
  jobs: [simulationRetentionJob],
});
