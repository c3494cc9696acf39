import { type BackgroundJob, repeatEvery } from '@necp/platform';
import { loadEconomyConfig } from './config.ts';
import { workshopSpecs } from './domain/crafting.ts';
import { completeDue, reportProgress, seedWorkshops, startQueued } from './store/crafting-store.ts';
import type { EconomyTables } from './store/tables.ts';

/**
 * The crafting clock. All state is in the database (due times, queue order), so a restart loses
 * nothing: the first tick after start completes every job that fell due while the service was down.
 * Replicas may tick together: due jobs are claimed with SKIP LOCKED and workshops are row-locked.
 */
export const craftingScheduler: BackgroundJob = async (context) => {
  if (!context.db) throw new Error('the crafting scheduler needs the database');
  const db = context.db.typed<EconomyTables>();
  const { ECONOMY_CRAFTING_TICK_MS } = loadEconomyConfig();
  await seedWorkshops(db);

  // Each step reads the clock when it runs: completing a backlog can take seconds (waiting on the
  // house accounts other replicas hold), and a job started with the tick's first time would carry
  // progress it never made.
  const tick = async () => {
    await completeDue(db, new Date());
    for (const workshop of workshopSpecs) {
      await db.transaction().execute((trx) => startQueued(trx, workshop.id, new Date()));
    }
    await reportProgress(db, new Date());
  };

  const ticks = repeatEvery(ECONOMY_CRAFTING_TICK_MS, tick, (error) =>
    context.logger.error({ err: error }, 'crafting tick failed'),
  );
  await ticks.runNow();
  return () => ticks.stop();
};
