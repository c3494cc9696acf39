import { defineService } from '@necp/platform';

/**
 * social-service: player orders, ratings, arbitration. On the platform's shape and answering its infrastructure routes; its game
 * routes (shared/API.md §5) are not built yet.
 */
export const socialService = defineService({
  name: 'social',
  description: 'NECP social-service: player orders, ratings, arbitration',
  migrations: new URL('../migrations/', import.meta.url),
  build: ({ db }) => ({ db }),
  routes: [],
});
