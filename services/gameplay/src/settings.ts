import { type Static, Type } from 'typebox';

/** gameplay-service's own settings, beside the platform's (read with `context.settings`). */
export const GameplaySettingsSchema = Type.Object({
  /**
   * How long (real seconds) a character's combat stays open after its last shot: a simulation that
   * names no combatId joins it, and one after it starts a new combat.
   */
  GAMEPLAY_COMBAT_IDLE_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 300 }),
  /**
   * The longest (real seconds) `simulate` keeps a copy of a character's loadout whose version has not
   * moved (flows/loadout-copies.ts); 0 keeps none and asks character-service for every shot.
   */
  GAMEPLAY_LOADOUT_COPY_SECONDS: Type.Integer({ minimum: 0, maximum: 3_600, default: 30 }),
  /** At most this many simulations share one statement and commit (flows/simulation-writes.ts). */
  GAMEPLAY_SIMULATION_WRITE_BATCH: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  /**
   * Stored simulations (telemetry, replay) older than this many days are deleted by the retention
   * sweep (jobs/simulation-retention.ts); a replay of one answers 404 from then on.
   */
  GAMEPLAY_SIMULATION_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3_650, default: 30 }),
  /** How often (ms) the retention sweep runs, once across replicas. */
  GAMEPLAY_RETENTION_TICK_MS: Type.Integer({ minimum: 1_000, maximum: 86_400_000, default: 60_000 }),
  /** At most this many simulations are deleted per tick, so one tick never holds a long transaction. */
  GAMEPLAY_RETENTION_BATCH: Type.Integer({ minimum: 1, maximum: 100_000, default: 5_000 }),
  /** How many characters' loadout copies one process keeps at most. */
  GAMEPLAY_LOADOUT_COPIES: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 10_000 }),
});

export type GameplaySettings = Static<typeof GameplaySettingsSchema>;
