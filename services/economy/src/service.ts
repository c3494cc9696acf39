import type { ServiceDefinition } from '@necp/platform';

/** economy-service: wallets, double-entry ledger, escrow, crafting. */
export const economyService: ServiceDefinition = {
  name: 'economy',
  description: 'NECP economy-service: wallets, double-entry ledger, escrow, crafting',
  migrations: new URL('../migrations/', import.meta.url),
  routes() {},
};
