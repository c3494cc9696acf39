import { exclusiveSchedule, runSchedule, type ServiceJob, type StoredServiceContext } from '@necp/platform';
import type { SocialDeps } from '../flows/deps.ts';
import {
  autoCompleteAfterMs,
  autoCompleteOrders,
  decayRatings,
  expireOrders,
  markOverdue,
} from '../flows/schedules.ts';
import type { SocialTables } from '../store/tables.ts';

/** The order clock (deadlines, overdue work, auto-complete) and the rating decay, each once across replicas. */
export function socialSchedules(deps: Pick<SocialDeps, 'database' | 'settings' | 'timeScale'>) {
  const waitMs = autoCompleteAfterMs(deps.settings.SOCIAL_AUTO_COMPLETE_HOURS, deps.timeScale);
  return {
    orders: exclusiveSchedule<SocialTables>(deps.database, 'social.orders-clock', async (trx, now) => {
      await expireOrders(trx, now);
      await markOverdue(trx, now);
      await autoCompleteOrders(trx, now, waitMs);
    }),
    ratings: exclusiveSchedule<SocialTables>(deps.database, 'social.rating-decay', decayRatings),
  };
}

export const socialSchedulesJob: ServiceJob<SocialDeps, StoredServiceContext> = async (deps) => {
  const schedules = socialSchedules(deps);
  const { SOCIAL_SCHEDULE_TICK_MS, SOCIAL_RATING_DECAY_TICK_MS } = deps.settings;
  const stops = [
    runSchedule(schedules.orders, SOCIAL_SCHEDULE_TICK_MS, deps.logger, 'social.orders-clock'),
    runSchedule(schedules.ratings, SOCIAL_RATING_DECAY_TICK_MS, deps.logger, 'social.rating-decay'),
  ];
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
};
