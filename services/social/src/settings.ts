import { type Static, Type } from 'typebox';

/** social-service's own settings, beside the platform's (read with `context.settings`). */
export const SocialSettingsSchema = Type.Object({
  /** How often the order clock (deadlines, overdue work, auto-complete) looks for what is due. */
  SOCIAL_SCHEDULE_TICK_MS: Type.Integer({ minimum: 10, maximum: 600_000, default: 5_000 }),
  /** How often idle scores are decayed: a point a day, so minutes are soon enough. */
  SOCIAL_RATING_DECAY_TICK_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 300_000 }),
  /**
   * Game hours a delivered order waits for the customer to complete or dispute it before it
   * completes by itself (divided by TIME_SCALE in wall time).
   */
  SOCIAL_AUTO_COMPLETE_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 8_760, default: 72 }),
});

export type SocialSettings = Static<typeof SocialSettingsSchema>;
