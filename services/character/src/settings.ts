import { type Static, Type } from 'typebox';

/** character-service's own settings, beside the platform's (read with `context.settings`). */
export const CharacterSettingsSchema = Type.Object({
  /**
   * Sheets kept in this process, each under its character's loadout version (flows/sheet-copies.ts):
   * how long one counts at most (0: none kept), and how many at most (the oldest go first).
   */
  CHARACTER_SHEET_COPY_SECONDS: Type.Integer({ minimum: 0, maximum: 3_600, default: 5 }),
  CHARACTER_SHEET_COPIES: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 10_000 }),
});

export type CharacterSettings = Static<typeof CharacterSettingsSchema>;
