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
  /** How many characters' loadout copies one process keeps at most. */
  GAMEPLAY_LOADOUT_COPIES: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 10_000 }),
});

export type GameplaySettings = Static<typeof GameplaySettingsSchema>;
