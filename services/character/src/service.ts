import type { ServiceDefinition } from '@necp/platform';

/** character-service: characters of each account and their inventory. */
export const characterService: ServiceDefinition = {
  name: 'character',
  description: 'NECP character-service: characters of each account and their inventory',
  migrations: new URL('../migrations/', import.meta.url),
  routes() {},
};
