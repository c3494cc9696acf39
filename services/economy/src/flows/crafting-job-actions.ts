/** A crafting job cancelled by its owner or an operator, paused and resumed by operators. */
import { AppError, type AuthContext, retryTransaction } from '@necp/platform';
import { activeStatuses, cancelRefund, dueAt, progressOf } from '../domain/crafting.ts';
import { type CraftingJob, consumeLegs, type JobView, jobClock, jobView, workIsDone } from '../domain/crafting-job.ts';
import { craftingOperators } from '../domain/roles.ts';
import { publishCraftingJob } from '../events.ts';
import { lockJob, updateJob } from '../store/crafting-jobs.ts';
import type { Trx } from '../store/tables.ts';
import { startQueued } from './crafting-clock.ts';
import { callersJob } from './crafting-jobs.ts';
import type { EconomyDeps } from './deps.ts';
import { move } from './movement.ts';

async function lockedJob(trx: Trx, jobId: string): Promise<CraftingJob> {
  const job = await lockJob(trx, jobId);
  if (!job) throw new AppError('NOT_FOUND', `No crafting job ${jobId}`);
  return job;
}

/**
 * A job whose work is done waits only for the scheduler's next tick to deliver it. Cancelling it
 * would consume every material and give nothing, and pausing it would keep it from completing, so
 * both refuse it.
 */
function refuseFinished(job: CraftingJob, progress: number, now: Date): void {
  if (workIsDone(job, progress, now)) {
    throw new AppError('INVALID_STATE', 'The job is finished: it completes with its output');
  }
}

/** Cancels in the caller's transaction: everything back while queued, the part not yet worked once started. */
export async function cancelJob(trx: Trx, jobId: string, now: Date): Promise<CraftingJob> {
  const job = await lockedJob(trx, jobId);
  if (job.status === 'cancelled') return job;
  if (!activeStatuses.includes(job.status)) throw new AppError('INVALID_STATE', `The job is already ${job.status}`);
  const progress = progressOf(jobClock(job), now);
  refuseFinished(job, progress, now);
  const split = cancelRefund(job.materials, job.status, progress);
  const consumed = Object.fromEntries(Object.entries(split).map(([asset, part]) => [asset, part.consumed]));
  await move(trx, consumeLegs(job, consumed));
  const cancelled = await updateJob(trx, jobId, {
    status: 'cancelled',
    consumed,
    progressSeconds: progress * job.durationSeconds,
    startedAt: null,
    dueAt: null,
    finishedAt: now,
  });
  await publishCraftingJob(trx, jobView(cancelled, now));
  return cancelled;
}

/** Pauses a processing job in the caller's transaction: it keeps its slot and banks its progress. */
export async function pauseJob(trx: Trx, jobId: string, now: Date): Promise<CraftingJob> {
  const job = await lockedJob(trx, jobId);
  if (job.status === 'paused') return job;
  if (job.status !== 'processing')
    throw new AppError('INVALID_STATE', `Only a processing job pauses; this one is ${job.status}`);
  const progress = progressOf(jobClock(job), now);
  refuseFinished(job, progress, now);
  const paused = await updateJob(trx, jobId, {
    status: 'paused',
    progressSeconds: progress * job.durationSeconds,
    startedAt: null,
    dueAt: null,
  });
  await publishCraftingJob(trx, jobView(paused, now));
  return paused;
}

/** Resumes a paused job in the caller's transaction, at today's time scale. */
export async function resumeJob(trx: Trx, jobId: string, timeScale: number, now: Date): Promise<CraftingJob> {
  const job = await lockedJob(trx, jobId);
  if (job.status === 'processing') return job;
  if (job.status !== 'paused')
    throw new AppError('INVALID_STATE', `Only a paused job resumes; this one is ${job.status}`);
  const resumed = await updateJob(trx, jobId, {
    status: 'processing',
    timeScale,
    startedAt: now,
    dueAt: dueAt({ ...jobClock(job), timeScale }, now),
  });
  await publishCraftingJob(trx, jobView(resumed, now));
  return resumed;
}

type JobChange = (trx: Trx, jobId: string, now: Date) => Promise<CraftingJob>;

async function changeJob(deps: EconomyDeps, jobId: string, change: JobChange): Promise<JobView> {
  const now = new Date();
  const job = await retryTransaction(() => deps.db.transaction().execute((trx) => change(trx, jobId, now)));
  return jobView(job, now);
}

/** Cancel by the job's owner, an operator or an admin; the freed slot goes to the next queued job at once. */
export async function cancelCraftingJob(deps: EconomyDeps, caller: AuthContext, jobId: string): Promise<JobView> {
  await callersJob(deps, caller, jobId, craftingOperators);
  const view = await changeJob(deps, jobId, cancelJob);
  await deps.db.transaction().execute((trx) => startQueued(trx, view.workshopId, new Date()));
  return view;
}

export function pauseCraftingJob(deps: EconomyDeps, jobId: string): Promise<JobView> {
  return changeJob(deps, jobId, pauseJob);
}

export function resumeCraftingJob(deps: EconomyDeps, jobId: string): Promise<JobView> {
  return changeJob(deps, jobId, (trx, id, now) => resumeJob(trx, id, deps.timeScale, now));
}
