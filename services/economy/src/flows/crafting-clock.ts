/**
 * The crafting clock. All state is in the database (due times, queue order), so a restart loses
 * nothing: the first tick after start completes every job that fell due while the service was down.
 * Replicas may tick together: due jobs are claimed with SKIP LOCKED and workshops are row-locked.
 */
import { dueAt, workshopSpecs } from '../domain/crafting.ts';
import { consumeLegs, jobClock, jobView, progressStepReached } from '../domain/crafting-job.ts';
import { publishCraftingJob } from '../events.ts';
import {
  busySlots,
  claimDueJob,
  lockJob,
  processingJobs,
  queuedJobsToStart,
  updateJob,
} from '../store/crafting-jobs.ts';
import type { EconomyDb, Trx } from '../store/tables.ts';
import { lockWorkshop, seedWorkshops } from '../store/workshops.ts';
import { move } from './movement.ts';

/** The workshops of the catalogue, opened once. */
export function openWorkshops(db: EconomyDb): Promise<void> {
  return seedWorkshops(db, workshopSpecs);
}

/** Starts queued jobs of the workshop while it is online and has free slots, oldest first. */
export async function startQueued(trx: Trx, workshopId: string, now: Date): Promise<number> {
  const workshop = await lockWorkshop(trx, workshopId);
  if (workshop?.status !== 'online') return 0;
  const free = workshop.capacity - (await busySlots(trx, workshopId));
  if (free <= 0) return 0;
  const queued = await queuedJobsToStart(trx, workshopId, free);
  for (const job of queued) {
    const started = await updateJob(trx, job.id, {
      status: 'processing',
      startedAt: now,
      dueAt: dueAt(jobClock(job), now),
    });
    await publishCraftingJob(trx, jobView(started, now));
  }
  return queued.length;
}

/** Completes the processing jobs due by `now`, each in its own transaction; returns their workshops. */
async function completeDue(db: EconomyDb, now: Date, batch = 50): Promise<Set<string>> {
  const workshops = new Set<string>();
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      const job = await claimDueJob(trx, now);
      if (!job) return undefined;
      await move(trx, consumeLegs(job, job.materials));
      const completed = await updateJob(trx, job.id, {
        status: 'completed',
        consumed: job.materials,
        progressSeconds: job.durationSeconds,
        finishedAt: now,
        dueAt: null,
        reportedPercent: 100,
      });
      await publishCraftingJob(trx, jobView(completed, now));
      return job.workshopId;
    });
    if (done === undefined) return workshops;
    workshops.add(done);
    if (workshops.size >= batch) return workshops;
  }
}

/** Emits a progress event each time a processing job crosses another step (25%, 50%, ...). */
async function reportProgress(db: EconomyDb, now: Date): Promise<void> {
  for (const job of await processingJobs(db)) {
    const reached = progressStepReached(job, now);
    if (reached === undefined) continue;
    await db.transaction().execute(async (trx) => {
      const locked = await lockJob(trx, job.id);
      if (locked?.status !== 'processing' || locked.reportedPercent >= reached) return;
      const updated = await updateJob(trx, job.id, { reportedPercent: reached });
      await publishCraftingJob(trx, jobView(updated, now));
    });
  }
}

/**
 * One tick: completes due jobs, starts queued ones, reports progress. Each step reads the clock
 * when it runs: completing a backlog can take seconds (waiting on the house accounts other
 * replicas hold), and a job started with the tick's first time would carry progress it never made.
 */
export async function tickCraftingClock(db: EconomyDb): Promise<void> {
  await completeDue(db, new Date());
  for (const workshop of workshopSpecs) {
    await db.transaction().execute((trx) => startQueued(trx, workshop.id, new Date()));
  }
  await reportProgress(db, new Date());
}
