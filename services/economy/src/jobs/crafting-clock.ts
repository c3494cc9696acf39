import { repeatEvery, type ServiceJob, type StoredServiceContext } from '@necp/platform';
import { openWorkshops, tickCraftingClock } from '../flows/crafting-clock.ts';
import type { EconomyDeps } from '../flows/deps.ts';

/** Ticks the crafting clock every ECONOMY_CRAFTING_TICK_MS, the first time at start. */
export const craftingClockJob: ServiceJob<EconomyDeps, StoredServiceContext> = async (deps) => {
  await openWorkshops(deps.db);
  const ticks = repeatEvery(
    deps.settings.ECONOMY_CRAFTING_TICK_MS,
    () => tickCraftingClock(deps.db),
    (error) => deps.logger.error({ err: error }, 'crafting tick failed'),
  );
  await ticks.runNow();
  return () => ticks.stop();
};
