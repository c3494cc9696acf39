import { type Static, Type } from 'typebox';

/** economy-service's own settings, beside the platform's (read with `context.settings`). */
export const EconomySettingsSchema = Type.Object({
  /** How often the crafting scheduler completes due jobs and starts queued ones. */
  ECONOMY_CRAFTING_TICK_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1_000 }),
  /** Batches of posted transfers in the database at once at most (each holds a pooled connection). */
  ECONOMY_LEDGER_BATCH_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 100, default: 4 }),
  /**
   * One batch runs at a time, so that transfers gather into large batches; another joins only once
   * every running batch has run this long (one waiting on a row lock). 0: up to the concurrency at once.
   */
  ECONOMY_LEDGER_BATCH_STALL_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 20 }),
  /**
   * How often the house's journalled settlement credits are folded into its balance (its one row lock
   * then taken once per fold; until then the audit sums the journal).
   */
  ECONOMY_HOUSE_FOLD_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1_000 }),
  /** Posted transfers in one batch at most. */
  ECONOMY_LEDGER_BATCH_MAX: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
});

export type EconomySettings = Static<typeof EconomySettingsSchema>;
