import type { ServiceDefinition } from '@necp/platform';

/** gameplay-service: combat, ballistics, weapon mods, skills. */
export const gameplayService: ServiceDefinition = {
  name: 'gameplay',
  description: 'NECP gameplay-service: combat, ballistics, weapon mods, skills',
  migrations: new URL('../migrations/', import.meta.url),
  routes() {},
};
