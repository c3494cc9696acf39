import { type Static, Type } from 'typebox';

/** gameplay-service's own settings, beside the platform's (read with `context.settings`). */
export const GameplaySettingsSchema = Type.Object({
  /**
   * How long (real seconds) a character's combat stays open after its last shot: a simulation that
   * names no combatId joins it, and one after it starts a new combat.
   */
  GAMEPLAY_COMBAT_IDLE_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 300 }),
});

export type GameplaySettings = Static<typeof GameplaySettingsSchema>;
