import { runSchedule, type ServiceJob, type StoredServiceContext } from '@necp/platform';
import { citySchedules } from '../flows/city-clock.ts';
import type { WorldDeps } from '../flows/deps.ts';

/** Ticks drift and escalation every WORLD_SCHEDULE_TICK_MS, the first time at start (each once across replicas). */
export const cityClockJob: ServiceJob<WorldDeps, StoredServiceContext> = async (deps) => {
  const schedules = citySchedules(deps.database, deps.timeScale);
  const every = deps.settings.WORLD_SCHEDULE_TICK_MS;
  const stops = [
    runSchedule(schedules.drift, every, deps.logger, 'world.drift'),
    runSchedule(schedules.escalation, every, deps.logger, 'world.escalation'),
  ];
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
};
