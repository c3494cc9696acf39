import { defineService } from '@necp/platform';

/**
 * gameplay-service: combat, ballistics, weapon mods, skills. On the platform's shape and answering its infrastructure routes; its game
 * routes (shared/API.md §4) are not built yet.
 */
export const gameplayService = defineService({
  name: 'gameplay',
  description: 'NECP gameplay-service: combat, ballistics, weapon mods, skills',
  migrations: new URL('../migrations/', import.meta.url),
  build: ({ db }) => ({ db }),
  routes: [],
});
