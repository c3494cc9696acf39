import type { CharacterAccess, SqlDatabase } from '@necp/platform';
import type { Logger } from 'pino';
import type { EconomySettings } from '../settings.ts';
import type { EconomyDb } from '../store/tables.ts';
import type { SkillsLookup } from './character-skills.ts';
import type { OrderCustomers } from './order-customers.ts';
import type { TransferPoster } from './transfer-batcher.ts';

/** What economy's composition root (service.ts `build`) makes once and its entry points share. */
export interface EconomyDeps {
  /** The database as the platform takes it (idempotent commands, consumers). */
  database: SqlDatabase;
  /** The same database, typed with economy's tables. */
  db: EconomyDb;
  /** Who owns a character: economy's projection first, then character-service. */
  characters: CharacterAccess;
  /** Posts P2P transfers and grants in batches. */
  transfers: TransferPoster;
  skillsOf: SkillsLookup;
  /** Who is the customer of an order (social-service), before a player's own escrow lock. */
  orderCustomers: OrderCustomers;
  settings: EconomySettings;
  /** Game time per wall time (TIME_SCALE), for crafting clocks. */
  timeScale: number;
  logger: Logger;
}
