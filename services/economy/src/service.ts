import { defineService, serviceClientFor } from '@necp/platform';
import { characterLifecycleConsumer } from './consumers/characters.ts';
import { orderLifecycleConsumer } from './consumers/orders.ts';
import { unrestConsumer } from './consumers/unrest.ts';
import { remoteSkills } from './flows/character-skills.ts';
import type { EconomyDeps } from './flows/deps.ts';
import { orderCustomersVia } from './flows/order-customers.ts';
import { batchOptionsOf, transferBatcher } from './flows/transfer-batcher.ts';
import { craftingClockJob } from './jobs/crafting-clock.ts';
import { houseJournalJob } from './jobs/house-journal.ts';
import { auditRoutes } from './routes/audit.ts';
import { craftingCatalogueRoutes } from './routes/crafting-catalogue.ts';
import { craftingJobRoutes } from './routes/crafting-jobs.ts';
import { escrowRoutes } from './routes/escrows.ts';
import { transferRoutes } from './routes/transfers.ts';
import { walletRoutes } from './routes/wallets.ts';
import { EconomySettingsSchema } from './settings.ts';
import { findCharacter } from './store/characters.ts';
import type { EconomyTables } from './store/tables.ts';

const prefix = '/api/v1/economy';

/** economy-service: wallets, double-entry ledger, escrow, crafting. */
export const economyService = defineService<EconomyDeps>({
  name: 'economy',
  description: 'NECP economy-service: wallets, double-entry ledger, escrow, crafting',
  migrations: new URL('../migrations/', import.meta.url),
  build(context) {
    const settings = context.settings(EconomySettingsSchema);
    const db = context.db.typed<EconomyTables>();
    return {
      database: context.db,
      db,
      // Economy's own projection of characters.lifecycle first: no network hop on the hot path, and
      // it answers while character-service is down; a character it has not seen yet is asked of
      // character-service.
      characters: context.characterAccess({ projection: (characterId) => findCharacter(db, characterId) }),
      transfers: transferBatcher(db, batchOptionsOf(settings, context.metrics)),
      skillsOf: remoteSkills(context.characterService),
      orderCustomers: orderCustomersVia(serviceClientFor(context.config, 'economy', 'social')),
      settings,
      timeScale: context.config.TIME_SCALE,
      logger: context.logger,
    };
  },
  routes: [
    { prefix, routes: transferRoutes },
    { prefix, routes: auditRoutes },
    { prefix, routes: craftingCatalogueRoutes },
    { prefix: `${prefix}/wallets`, routes: walletRoutes },
    { prefix: `${prefix}/escrows`, routes: escrowRoutes },
    { prefix: `${prefix}/crafting/jobs`, routes: craftingJobRoutes },
  ],
  consumers: (deps) => [characterLifecycleConsumer(deps), orderLifecycleConsumer(deps), unrestConsumer(deps)],
  jobs: [craftingClockJob, houseJournalJob],
});
