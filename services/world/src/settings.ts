import { type Static, Type } from 'typebox';

/** world-service's own settings, beside the platform's (read with `context.settings`). */
export const WorldSettingsSchema = Type.Object({
  /** How often the drift and escalation schedules tick (each runs once across replicas per tick). */
  WORLD_SCHEDULE_TICK_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 5_000 }),
});

export type WorldSettings = Static<typeof WorldSettingsSchema>;
