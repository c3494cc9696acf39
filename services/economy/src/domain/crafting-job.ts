/**
 * One crafting job: its clock and view, when its work is done, and the ledger legs that hold its
 * materials and consume them. Pure: the flows supply the job as stored and the time.
 */
import type { Material } from './catalogue.ts';
import { craftingRules, dueAt, type JobClock, type JobStatus, percent, progressOf } from './crafting.ts';
import { characterAccount, craftingHoldAccount, houseAccount, type MovementLeg } from './movements.ts';

export interface CraftingJob {
  id: string;
  characterId: string;
  blueprintId: string;
  workshopId: string;
  quantity: number;
  outputTemplateId: string;
  outputQuantity: number;
  linkedOrderId: string | null;
  status: JobStatus;
  /** Held for the job, per material. */
  materials: Record<string, number>;
  /** The pending transfer holding each material. */
  holds: Record<string, string>;
  consumed: Record<string, number>;
  durationSeconds: number;
  progressSeconds: number;
  timeScale: number;
  startedAt: Date | null;
  dueAt: Date | null;
  /** The last progress step an event reported. */
  reportedPercent: number;
  queuedAt: Date;
  finishedAt: Date | null;
}

export interface JobView {
  jobId: string;
  characterId: string;
  blueprintId: string;
  workshopId: string;
  quantity: number;
  linkedOrderId: string | null;
  status: JobStatus;
  progressPercent: number;
  eta: string | null;
  materials: Record<string, number>;
  materialsConsumed: Record<string, number>;
  outputTemplateId: string;
  outputQuantity: number;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function jobClock(job: CraftingJob): JobClock {
  return {
    status: job.status,
    durationSeconds: job.durationSeconds,
    progressSeconds: job.progressSeconds,
    startedAt: job.startedAt,
    timeScale: job.timeScale,
  };
}

export function jobView(job: CraftingJob, now: Date): JobView {
  const clock = jobClock(job);
  let eta: string | null = null;
  if (job.status === 'processing' && job.dueAt) eta = job.dueAt.toISOString();
  // A queued job's eta is the earliest it can finish: if it started now.
  if (job.status === 'queued') eta = dueAt(clock, now).toISOString();
  if (job.status === 'completed' && job.finishedAt) eta = job.finishedAt.toISOString();
  return {
    jobId: job.id,
    characterId: job.characterId,
    blueprintId: job.blueprintId,
    workshopId: job.workshopId,
    quantity: job.quantity,
    linkedOrderId: job.linkedOrderId,
    status: job.status,
    progressPercent: percent(progressOf(clock, now)),
    eta,
    materials: job.materials,
    materialsConsumed: job.consumed,
    outputTemplateId: job.outputTemplateId,
    outputQuantity: job.outputQuantity,
    queuedAt: job.queuedAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Whether the job's work is done (it then waits only for the scheduler's next tick to deliver it):
 * by its progress, or by the scheduler's own test, `due_at` being whole milliseconds and the
 * progress a fraction.
 */
export function workIsDone(job: CraftingJob, progress: number, now: Date): boolean {
  return progress >= 1 || (job.dueAt !== null && job.dueAt <= now);
}

/** The progress step (25%, 50%, ...) a processing job has newly crossed, if any. */
export function progressStepReached(job: CraftingJob, now: Date): number | undefined {
  const step = craftingRules.progressStepPercent;
  const reached = Math.floor(percent(progressOf(jobClock(job), now)) / step) * step;
  return reached <= job.reportedPercent || reached >= 100 ? undefined : reached;
}

/** Holds each required material on the character's wallet for the job. */
export function holdLegs(jobId: string, characterId: string, required: Record<string, number>): MovementLeg[] {
  return Object.entries(required).map(([asset, amount]) => ({
    type: 'pending',
    clientRef: `craft:${jobId}:hold:${asset}`,
    debit: characterAccount(characterId, asset as Material),
    credit: craftingHoldAccount(jobId, asset as Material),
    amount,
    reason: 'crafting_hold',
  }));
}

/** Posts `consumed` of each hold and burns it to the house; voids holds nothing was consumed from. */
export function consumeLegs(job: CraftingJob, consumed: Record<string, number>): MovementLeg[] {
  return Object.entries(job.holds).flatMap(([asset, pendingId]): MovementLeg[] => {
    const amount = consumed[asset] ?? 0;
    if (amount === 0)
      return [{ type: 'void', clientRef: `craft:${job.id}:void:${asset}`, pendingId, reason: 'crafting_refund' }];
    return [
      { type: 'post', clientRef: `craft:${job.id}:post:${asset}`, pendingId, amount, reason: 'crafting_consume' },
      // Consumed materials leave the economy: back to the issuer, so the asset still sums to zero.
      {
        type: 'posted',
        clientRef: `craft:${job.id}:burn:${asset}`,
        debit: craftingHoldAccount(job.id, asset as Material),
        credit: houseAccount(asset as Material),
        amount,
        reason: 'crafting_burn',
      },
    ];
  });
}
