import { defineService } from '@necp/platform';

/**
 * world-service: districts, city unrest, world events. On the platform's shape and answering its infrastructure routes; its game
 * routes (shared/API.md §7) are not built yet.
 */
export const worldService = defineService({
  name: 'world',
  description: 'NECP world-service: districts, city unrest, world events',
  migrations: new URL('../migrations/', import.meta.url),
  build: ({ db }) => ({ db }),
  routes: [],
});
