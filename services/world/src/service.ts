import type { ServiceDefinition } from '@necp/platform';

/** world-service: districts, city unrest, world events. */
export const worldService: ServiceDefinition = {
  name: 'world',
  description: 'NECP world-service: districts, city unrest, world events',
  migrations: new URL('../migrations/', import.meta.url),
  routes() {},
};
