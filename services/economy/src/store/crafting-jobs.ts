import type { KeysetPosition } from '@necp/platform';
import { type Selectable, sql, type Updateable } from 'kysely';
import { activeStatuses, type JobStatus, slotStatuses } from '../domain/crafting.ts';
import type { CraftingJob } from '../domain/crafting-job.ts';
import { ownerKey } from '../domain/movements.ts';
import type { CraftingJobTable, EconomyDb, Trx } from './tables.ts';

function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

const dateOrNull = (value: Date | string | null) => (value === null ? null : new Date(value));

function toJob(row: Selectable<CraftingJobTable>): CraftingJob {
  return {
    id: row.id,
    characterId: row.character_id,
    blueprintId: row.blueprint_id,
    workshopId: row.workshop_id,
    quantity: row.quantity,
    outputTemplateId: row.output_template_id,
    outputQuantity: row.output_quantity,
    linkedOrderId: row.linked_order_id,
    status: row.status,
    materials: parseJson(row.materials),
    holds: parseJson(row.holds),
    consumed: parseJson(row.consumed),
    durationSeconds: Number(row.duration_seconds),
    progressSeconds: Number(row.progress_seconds),
    timeScale: Number(row.time_scale),
    startedAt: dateOrNull(row.started_at),
    dueAt: dateOrNull(row.due_at),
    reportedPercent: row.reported_percent,
    queuedAt: new Date(row.queued_at),
    finishedAt: dateOrNull(row.finished_at),
  };
}

/** One creation at a time per character, so the active-job limit holds under racing requests. */
export async function serializeCharacterCrafting(trx: Trx, characterId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`crafting:${ownerKey(characterId)}`}))`.execute(trx);
}

export async function activeJobCount(trx: Trx, characterId: string): Promise<number> {
  const active = await trx
    .selectFrom('mvp_core.crafting_jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('character_id', '=', characterId)
    .where('status', 'in', [...activeStatuses])
    .executeTakeFirstOrThrow();
  return Number(active.n);
}

/** The jobs holding a slot of the workshop (processing or paused). */
export async function busySlots(trx: Trx, workshopId: string): Promise<number> {
  const busy = await trx
    .selectFrom('mvp_core.crafting_jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workshop_id', '=', workshopId)
    .where('status', 'in', [...slotStatuses])
    .executeTakeFirstOrThrow();
  return Number(busy.n);
}

export type NewJob = Omit<
  CraftingJob,
  'status' | 'consumed' | 'progressSeconds' | 'startedAt' | 'dueAt' | 'reportedPercent' | 'finishedAt'
>;

/** A new job, queued. */
export async function insertJob(trx: Trx, job: NewJob): Promise<CraftingJob> {
  const row = await trx
    .insertInto('mvp_core.crafting_jobs')
    .values({
      id: job.id,
      character_id: job.characterId,
      blueprint_id: job.blueprintId,
      workshop_id: job.workshopId,
      quantity: job.quantity,
      output_template_id: job.outputTemplateId,
      output_quantity: job.outputQuantity,
      linked_order_id: job.linkedOrderId,
      status: 'queued',
      materials: JSON.stringify(job.materials),
      holds: JSON.stringify(job.holds),
      duration_seconds: job.durationSeconds,
      time_scale: job.timeScale,
      queued_at: job.queuedAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toJob(row);
}

export interface JobChange {
  status?: JobStatus;
  consumed?: Record<string, number>;
  progressSeconds?: number;
  timeScale?: number;
  startedAt?: Date | null;
  dueAt?: Date | null;
  finishedAt?: Date | null;
  reportedPercent?: number;
}

export async function updateJob(trx: Trx, jobId: string, change: JobChange): Promise<CraftingJob> {
  const set: Updateable<CraftingJobTable> = { updated_at: new Date() };
  if (change.status !== undefined) set.status = change.status;
  if (change.consumed !== undefined) set.consumed = JSON.stringify(change.consumed);
  if (change.progressSeconds !== undefined) set.progress_seconds = change.progressSeconds;
  if (change.timeScale !== undefined) set.time_scale = change.timeScale;
  if (change.startedAt !== undefined) set.started_at = change.startedAt;
  if (change.dueAt !== undefined) set.due_at = change.dueAt;
  if (change.finishedAt !== undefined) set.finished_at = change.finishedAt;
  if (change.reportedPercent !== undefined) set.reported_percent = change.reportedPercent;
  const row = await trx
    .updateTable('mvp_core.crafting_jobs')
    .set(set)
    .where('id', '=', jobId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toJob(row);
}

/** The job, locked until the transaction ends. */
export async function lockJob(trx: Trx, jobId: string): Promise<CraftingJob | undefined> {
  const row = await trx
    .selectFrom('mvp_core.crafting_jobs')
    .selectAll()
    .where('id', '=', jobId)
    .forUpdate()
    .executeTakeFirst();
  return row ? toJob(row) : undefined;
}

export async function readJob(db: EconomyDb | Trx, jobId: string): Promise<CraftingJob | undefined> {
  const row = await db.selectFrom('mvp_core.crafting_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
  return row ? toJob(row) : undefined;
}

/** A character's jobs, newest first, after `after` (the last one of the page before) when given. */
export async function listJobs(
  db: EconomyDb,
  characterId: string,
  limit: number,
  after: KeysetPosition | undefined,
): Promise<{ jobs: CraftingJob[]; next: KeysetPosition | null }> {
  let query = db
    .selectFrom('mvp_core.crafting_jobs')
    .selectAll()
    .where('character_id', '=', characterId)
    .orderBy('queued_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('queued_at', '<', after.at), eb.and([eb('queued_at', '=', after.at), eb('id', '<', after.id)])]),
    );
  }
  const rows = await query.execute();
  const jobs = rows.slice(0, limit).map(toJob);
  const last = jobs.at(-1);
  return { jobs, next: rows.length > limit && last ? { at: last.queuedAt, id: last.id } : null };
}

/** The oldest queued jobs of the workshop, up to `limit`, locked (those another transaction holds are skipped). */
export async function queuedJobsToStart(trx: Trx, workshopId: string, limit: number): Promise<CraftingJob[]> {
  const rows = await trx
    .selectFrom('mvp_core.crafting_jobs')
    .selectAll()
    .where('workshop_id', '=', workshopId)
    .where('status', '=', 'queued')
    .orderBy('queued_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map(toJob);
}

/** The processing job due first by `now`, locked; one another transaction holds is skipped. */
export async function claimDueJob(trx: Trx, now: Date): Promise<CraftingJob | undefined> {
  const row = await trx
    .selectFrom('mvp_core.crafting_jobs')
    .selectAll()
    .where('status', '=', 'processing')
    .where('due_at', '<=', now)
    .orderBy('due_at')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row ? toJob(row) : undefined;
}

export async function processingJobs(db: EconomyDb): Promise<CraftingJob[]> {
  const rows = await db.selectFrom('mvp_core.crafting_jobs').selectAll().where('status', '=', 'processing').execute();
  return rows.map(toJob);
}
