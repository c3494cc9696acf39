import {
  characterServiceClientFor,
  idempotencyKeySweeper,
  type ServiceContext,
  type ServiceDefinition,
  type SqlDatabase,
} from '@necp/platform';
import { createAccess } from './access.ts';
import { loadEconomyConfig } from './config.ts';
import { characterLifecycleConsumer, orderLifecycleConsumer, unrestConsumer } from './events.ts';
import { auditRoutes } from './routes/audit.ts';
import { craftingRoutes } from './routes/crafting.ts';
import { escrowRoutes } from './routes/escrows.ts';
import { transferRoutes } from './routes/transfers.ts';
import { walletRoutes } from './routes/wallets.ts';
import { craftingScheduler } from './scheduler.ts';
import { remoteSkills } from './store/characters-store.ts';
import type { EconomyTables } from './store/tables.ts';
import { batchOptionsOf, transferBatcher } from './store/transfer-batcher.ts';

function databaseOf(context: ServiceContext): SqlDatabase {
  if (!context.db) throw new Error('economy-service needs its database');
  return context.db;
}

/** economy-service: wallets, double-entry ledger, escrow, crafting. */
export const economyService: ServiceDefinition = {
  name: 'economy',
  description: 'NECP economy-service: wallets, double-entry ledger, escrow, crafting',
  migrations: new URL('../migrations/', import.meta.url),
  routes(app, context) {
    const db = databaseOf(context);
    const typed = db.typed<EconomyTables>();
    // character-service's internal endpoints: owners of characters economy has not seen yet, and skills.
    const characters = characterServiceClientFor(context.config, context.name);
    const access = createAccess(app, context, typed, characters);
    walletRoutes(app, access, typed);
    transferRoutes(app, access, transferBatcher(typed, batchOptionsOf(loadEconomyConfig(), context.metrics)));
    escrowRoutes(app, access, db, typed);
    craftingRoutes(app, access, db, typed, remoteSkills(characters), context.config.TIME_SCALE);
    auditRoutes(app, access, typed);
  },
  subscriptions: (context) => [
    characterLifecycleConsumer(databaseOf(context)),
    orderLifecycleConsumer(databaseOf(context), context.logger),
    unrestConsumer(databaseOf(context)),
  ],
  jobs: [craftingScheduler, idempotencyKeySweeper()],
};
