import type { SqlDatabase } from '@necp/platform';
import type { Logger } from 'pino';
import type { WorldSettings } from '../settings.ts';
import type { WorldDb } from '../store/tables.ts';

/** What world's composition root (service.ts `build`) makes once and its entry points share. */
export interface WorldDeps {
  /** The database as the platform takes it (idempotent commands, consumers, schedules). */
  database: SqlDatabase;
  /** The same database, typed with world's tables. */
  db: WorldDb;
  settings: WorldSettings;
  /** Game time per wall time (TIME_SCALE): the escalation dwell and the drift's quiet hour shrink by it. */
  timeScale: number;
  logger: Logger;
}
