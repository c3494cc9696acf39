import type { Cache, InternalClient, SqlDatabase } from '@necp/platform';
import type { GameplaySettings } from '../settings.ts';
import type { GameplayDb } from '../store/tables.ts';
import type { LoadoutCopies } from './loadout-copies.ts';
import type { SimulationWrites } from './simulation-writes.ts';

/** What gameplay's composition root (service.ts `build`) makes once and its routes share. */
export interface GameplayDeps {
  /** The database as the platform takes it (idempotent commands). */
  database: SqlDatabase;
  /** The same database, typed with gameplay's tables. */
  db: GameplayDb;
  /** character-service's internal endpoints: owner and combat loadout. */
  characterService: InternalClient;
  /** Cooldowns and per-character combat state (Redis when REDIS_URL is set): shared by replicas. */
  cache: Cache;
  /** Game time per wall time (TIME_SCALE), for cooldowns. */
  timeScale: number;
  settings: GameplaySettings;
  /** This process's copies of loadouts, for `simulate` (kept under the shared loadout version). */
  loadouts: LoadoutCopies;
  /** Simulations without an Idempotency-Key, committed together (group commit). */
  simulationWrites: SimulationWrites;
}
