import type { ServiceDefinition } from '@necp/platform';

/** social-service: player orders, ratings, arbitration. */
export const socialService: ServiceDefinition = {
  name: 'social',
  description: 'NECP social-service: player orders, ratings, arbitration',
  migrations: new URL('../migrations/', import.meta.url),
  routes() {},
};
