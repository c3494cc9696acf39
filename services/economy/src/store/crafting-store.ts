import { randomUUID } from 'node:crypto';
import { AppError, encodeKeysetCursor, type KeysetPosition, writeEvent } from '@necp/platform';
import { type Selectable, sql, type Updateable } from 'kysely';
import type { Material } from '../domain/catalogue.ts';
import {
  activeStatuses,
  type Blueprint,
  cancelRefund,
  craftingRules,
  dueAt,
  type JobStatus,
  jobDurationSeconds,
  missingMaterials,
  percent,
  progressOf,
  requiredMaterials,
  type Skill,
  skillShortfall,
  slotStatuses,
  workshopSpecs,
} from '../domain/crafting.ts';
import { LedgerRefusal } from '../domain/ledger.ts';
import {
  characterAccount,
  characterBalances,
  type EconomyDb,
  houseAccount,
  type MovementLeg,
  move,
  ownerKey,
  type Trx,
} from './ledger-store.ts';
import { platformView } from './platform-view.ts';
import type { CraftingJobTable } from './tables.ts';

type JobRow = Selectable<CraftingJobTable>;

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

const holdAccount = (jobId: string, asset: string) =>
  ({ kind: 'crafting_hold', ownerId: jobId, asset: asset as Material }) as const;

function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function clockOf(row: JobRow) {
  return {
    status: row.status,
    durationSeconds: Number(row.duration_seconds),
    progressSeconds: Number(row.progress_seconds),
    startedAt: row.started_at ? new Date(row.started_at) : null,
    timeScale: Number(row.time_scale),
  };
}

export function jobView(row: JobRow, now: Date): JobView {
  const clock = clockOf(row);
  let eta: string | null = null;
  if (row.status === 'processing' && row.due_at) eta = new Date(row.due_at).toISOString();
  // A queued job's eta is the earliest it can finish: if it started now.
  if (row.status === 'queued') eta = dueAt(clock, now).toISOString();
  if (row.status === 'completed' && row.finished_at) eta = new Date(row.finished_at).toISOString();
  return {
    jobId: row.id,
    characterId: row.character_id,
    blueprintId: row.blueprint_id,
    workshopId: row.workshop_id,
    quantity: row.quantity,
    linkedOrderId: row.linked_order_id,
    status: row.status,
    progressPercent: percent(progressOf(clock, now)),
    eta,
    materials: parseJson(row.materials),
    materialsConsumed: parseJson(row.consumed),
    outputTemplateId: row.output_template_id,
    outputQuantity: row.output_quantity,
    queuedAt: new Date(row.queued_at).toISOString(),
    startedAt: row.started_at ? new Date(row.started_at).toISOString() : null,
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}

async function emit(trx: Trx, row: JobRow, now: Date): Promise<void> {
  const view = jobView(row, now);
  await writeEvent(platformView(trx), 'economy', {
    topic: 'economy.crafting.jobs',
    key: view.jobId,
    payload: {
      jobId: view.jobId,
      characterId: view.characterId,
      blueprintId: view.blueprintId,
      status: view.status,
      progressPercent: view.progressPercent,
      eta: view.eta,
      materialsConsumed: view.materialsConsumed,
      outputTemplateId: view.outputTemplateId,
      // character-service grants this many items of outputTemplateId on `completed`.
      quantity: view.outputQuantity * view.quantity,
      linkedOrderId: view.linkedOrderId,
      workshopId: view.workshopId,
    },
  });
}

async function lockJob(trx: Trx, jobId: string): Promise<JobRow | undefined> {
  return trx.selectFrom('mvp_core.crafting_jobs').selectAll().where('id', '=', jobId).forUpdate().executeTakeFirst();
}

async function updateJob(trx: Trx, jobId: string, set: Updateable<CraftingJobTable>) {
  return (await trx
    .updateTable('mvp_core.crafting_jobs')
    .set({ ...set, updated_at: new Date() })
    .where('id', '=', jobId)
    .returningAll()
    .executeTakeFirstOrThrow()) as JobRow;
}

export async function seedWorkshops(db: EconomyDb): Promise<void> {
  await db
    .insertInto('mvp_core.crafting_workshops')
    .values(workshopSpecs.map((spec) => ({ id: spec.id, district: spec.district, capacity: spec.capacity })))
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}

export interface WorkshopView {
  workshopId: string;
  district: string;
  capacity: number;
  status: 'online' | 'offline' | 'maintenance';
  busySlots: number;
  queuedJobs: number;
  stressed: boolean;
}

export async function listWorkshops(db: EconomyDb | Trx, id?: string): Promise<WorkshopView[]> {
  let query = db
    .selectFrom('mvp_core.crafting_workshops as w')
    .leftJoin('mvp_core.district_stress as s', 's.district', 'w.district')
    .select(['w.id', 'w.district', 'w.capacity', 'w.status', 's.tier'])
    .select((eb) => [
      eb
        .selectFrom('mvp_core.crafting_jobs as j')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('j.workshop_id', '=', 'w.id')
        .where('j.status', 'in', [...slotStatuses])
        .as('busy'),
      eb
        .selectFrom('mvp_core.crafting_jobs as j')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('j.workshop_id', '=', 'w.id')
        .where('j.status', '=', 'queued')
        .as('queued'),
    ])
    .orderBy('w.id');
  if (id) query = query.where('w.id', '=', id);
  const rows = await query.execute();
  return rows.map((row) => ({
    workshopId: row.id,
    district: row.district,
    capacity: row.capacity,
    status: row.status,
    busySlots: Number(row.busy ?? 0),
    queuedJobs: Number(row.queued ?? 0),
    stressed: row.tier !== null && craftingRules.stressedTiers.includes(row.tier),
  }));
}

export async function patchWorkshop(
  trx: Trx,
  id: string,
  change: { status?: 'online' | 'offline' | 'maintenance' | undefined; capacity?: number | undefined },
): Promise<void> {
  const updated = await trx
    .updateTable('mvp_core.crafting_workshops')
    .set({
      ...(change.status ? { status: change.status } : {}),
      ...(change.capacity !== undefined ? { capacity: change.capacity } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  if (!updated) throw new AppError('NOT_FOUND', `No workshop ${id}`);
}

/** Each district's latest unrest tier, one statement for all of them. */
export async function recordDistrictTiers(trx: Trx, tiers: Map<string, string>): Promise<void> {
  if (tiers.size === 0) return;
  await trx
    .insertInto('mvp_core.district_stress')
    .values([...tiers].map(([district, tier]) => ({ district, tier })))
    .onConflict((conflict) =>
      conflict.column('district').doUpdateSet((eb) => ({ tier: eb.ref('excluded.tier'), updated_at: new Date() })),
    )
    .execute();
}

/**
 * Starts queued jobs of the workshop while it is online and has free slots, oldest first. Its lock
 * on the workshop is FOR NO KEY UPDATE: a job inserted in the same transaction holds the key-share
 * lock of its foreign key on the workshop, and FOR UPDATE would deadlock two creations racing at
 * one workshop (each waiting for the other's key-share lock).
 */
export async function startQueued(trx: Trx, workshopId: string, now: Date): Promise<number> {
  const workshop = await trx
    .selectFrom('mvp_core.crafting_workshops')
    .selectAll()
    .where('id', '=', workshopId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (workshop?.status !== 'online') return 0;
  const busy = await trx
    .selectFrom('mvp_core.crafting_jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workshop_id', '=', workshopId)
    .where('status', 'in', [...slotStatuses])
    .executeTakeFirstOrThrow();
  const free = workshop.capacity - Number(busy.n);
  if (free <= 0) return 0;
  const queued = await trx
    .selectFrom('mvp_core.crafting_jobs')
    .selectAll()
    .where('workshop_id', '=', workshopId)
    .where('status', '=', 'queued')
    .orderBy('queued_at')
    .orderBy('id')
    .limit(free)
    .forUpdate()
    .skipLocked()
    .execute();
  for (const job of queued) {
    const clock = clockOf(job);
    const started = await updateJob(trx, job.id, {
      status: 'processing',
      started_at: now,
      due_at: dueAt(clock, now),
    });
    await emit(trx, started, now);
  }
  return queued.length;
}

export interface CreateJob {
  characterId: string;
  blueprint: Blueprint;
  workshopId: string;
  quantity: number;
  linkedOrderId?: string | undefined;
}

export async function createJob(
  trx: Trx,
  input: CreateJob,
  skills: Partial<Record<Skill, number>>,
  timeScale: number,
  now: Date,
): Promise<JobView> {
  // One creation at a time per character, so the active-job limit holds under racing requests.
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`crafting:${ownerKey(input.characterId)}`}))`.execute(trx);
  const workshop = await trx
    .selectFrom('mvp_core.crafting_workshops as w')
    .leftJoin('mvp_core.district_stress as s', 's.district', 'w.district')
    .select(['w.id', 'w.status', 's.tier'])
    .where('w.id', '=', input.workshopId)
    .executeTakeFirst();
  if (!workshop) throw new AppError('NOT_FOUND', `No workshop ${input.workshopId}`);
  if (!input.blueprint.workshops.includes(workshop.id)) {
    throw new AppError('VALIDATION_ERROR', `${input.blueprint.id} cannot be made at ${workshop.id}`);
  }
  if (workshop.status !== 'online') {
    throw new AppError('WORKSHOP_LOCKED', `Workshop ${workshop.id} is ${workshop.status}`, {
      extensions: { workshopId: workshop.id, workshopStatus: workshop.status },
    });
  }
  const active = await trx
    .selectFrom('mvp_core.crafting_jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('character_id', '=', input.characterId)
    .where('status', 'in', [...activeStatuses])
    .executeTakeFirstOrThrow();
  if (Number(active.n) >= craftingRules.maxActiveJobsPerCharacter) {
    throw new AppError(
      'QUEUE_FULL',
      `At most ${craftingRules.maxActiveJobsPerCharacter} active crafting jobs per character`,
    );
  }
  const shortfall = skillShortfall(input.blueprint, skills);
  if (shortfall) {
    throw new AppError(
      'SKILL_TOO_LOW',
      `${shortfall.skill} ${shortfall.actual} is below the ${shortfall.required} required`,
      {
        extensions: shortfall,
      },
    );
  }
  const required = requiredMaterials(input.blueprint, input.quantity);
  const balances = await characterBalances(trx, input.characterId);
  const available = Object.fromEntries(balances.map((row) => [row.asset, row.balance - row.held]));
  const refuseMissing = (have: Record<string, number>) => {
    const missing = missingMaterials(required, have);
    return new AppError('MISSING_MATERIALS', 'Not enough materials for this job', {
      extensions: { missingMaterials: missing },
    });
  };
  if (missingMaterials(required, available).length > 0) throw refuseMissing(available);

  const jobId = randomUUID();
  const legs: MovementLeg[] = Object.entries(required).map(([asset, amount]) => ({
    type: 'pending',
    clientRef: `craft:${jobId}:hold:${asset}`,
    debit: characterAccount(input.characterId, asset as Material),
    credit: holdAccount(jobId, asset),
    amount,
    reason: 'crafting_hold',
  }));
  let holds: Record<string, string>;
  try {
    const { transfers } = await move(trx, legs);
    holds = Object.fromEntries(transfers.map((transfer) => [transfer.asset, transfer.id]));
  } catch (error) {
    // A transfer of materials can commit between our read and our lock; the lock's answer decides.
    if (error instanceof LedgerRefusal) {
      const fresh = await characterBalances(trx, input.characterId);
      throw refuseMissing(Object.fromEntries(fresh.map((row) => [row.asset, row.balance - row.held])));
    }
    throw error;
  }
  const stressed = workshop.tier !== null && craftingRules.stressedTiers.includes(workshop.tier);
  const row = (await trx
    .insertInto('mvp_core.crafting_jobs')
    .values({
      id: jobId,
      character_id: input.characterId,
      blueprint_id: input.blueprint.id,
      workshop_id: workshop.id,
      quantity: input.quantity,
      output_template_id: input.blueprint.output.templateId,
      output_quantity: input.blueprint.output.quantity,
      linked_order_id: input.linkedOrderId ?? null,
      status: 'queued',
      materials: JSON.stringify(required),
      holds: JSON.stringify(holds),
      duration_seconds: jobDurationSeconds(input.blueprint, input.quantity, stressed),
      time_scale: timeScale,
      queued_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()) as JobRow;
  await emit(trx, row, now);
  await startQueued(trx, workshop.id, now);
  return jobView((await readJobRow(trx, jobId)) as JobRow, now);
}

async function readJobRow(db: EconomyDb | Trx, jobId: string): Promise<JobRow | undefined> {
  return db.selectFrom('mvp_core.crafting_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
}

export async function readJob(db: EconomyDb | Trx, jobId: string, now: Date): Promise<JobView | undefined> {
  const row = await readJobRow(db, jobId);
  return row ? jobView(row, now) : undefined;
}

export async function listJobs(
  db: EconomyDb,
  characterId: string,
  limit: number,
  cursor: KeysetPosition | undefined,
  now: Date,
): Promise<{ items: JobView[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('mvp_core.crafting_jobs')
    .selectAll()
    .where('character_id', '=', characterId)
    .orderBy('queued_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (cursor) {
    query = query.where((eb) =>
      eb.or([eb('queued_at', '<', cursor.at), eb.and([eb('queued_at', '=', cursor.at), eb('id', '<', cursor.id)])]),
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => jobView(row, now)),
    nextCursor: rows.length > limit && last ? encodeKeysetCursor({ at: new Date(last.queued_at), id: last.id }) : null,
  };
}

/** Posts `consumed` of each hold and burns it to the house; voids holds nothing was consumed from. */
function consumeLegs(job: JobRow, consumed: Record<string, number>): MovementLeg[] {
  const holds = parseJson<Record<string, string>>(job.holds);
  return Object.entries(holds).flatMap(([asset, pendingId]): MovementLeg[] => {
    const amount = consumed[asset] ?? 0;
    if (amount === 0)
      return [{ type: 'void', clientRef: `craft:${job.id}:void:${asset}`, pendingId, reason: 'crafting_refund' }];
    return [
      { type: 'post', clientRef: `craft:${job.id}:post:${asset}`, pendingId, amount, reason: 'crafting_consume' },
      // Consumed materials leave the economy: back to the issuer, so the asset still sums to zero.
      {
        type: 'posted',
        clientRef: `craft:${job.id}:burn:${asset}`,
        debit: holdAccount(job.id, asset),
        credit: houseAccount(asset as Material),
        amount,
        reason: 'crafting_burn',
      },
    ];
  });
}

/** Completes the processing jobs due by `now`, each in its own transaction; returns their workshops. */
export async function completeDue(db: EconomyDb, now: Date, batch = 50): Promise<Set<string>> {
  const workshops = new Set<string>();
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      const job = (await trx
        .selectFrom('mvp_core.crafting_jobs')
        .selectAll()
        .where('status', '=', 'processing')
        .where('due_at', '<=', now)
        .orderBy('due_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst()) as JobRow | undefined;
      if (!job) return undefined;
      const materials = parseJson<Record<string, number>>(job.materials);
      await move(trx, consumeLegs(job, materials));
      const completed = await updateJob(trx, job.id, {
        status: 'completed',
        consumed: JSON.stringify(materials),
        progress_seconds: Number(job.duration_seconds),
        finished_at: now,
        due_at: null,
        reported_percent: 100,
      });
      await emit(trx, completed, now);
      return job.workshop_id;
    });
    if (done === undefined) return workshops;
    workshops.add(done);
    if (workshops.size >= batch) return workshops;
  }
}

/** Emits a progress event each time a processing job crosses another step (25%, 50%, ...). */
export async function reportProgress(db: EconomyDb, now: Date): Promise<void> {
  const step = craftingRules.progressStepPercent;
  const running = await db
    .selectFrom('mvp_core.crafting_jobs')
    .selectAll()
    .where('status', '=', 'processing')
    .execute();
  for (const job of running) {
    const reached = Math.floor(percent(progressOf(clockOf(job), now)) / step) * step;
    if (reached <= job.reported_percent || reached >= 100) continue;
    await db.transaction().execute(async (trx) => {
      const locked = await lockJob(trx, job.id);
      if (locked?.status !== 'processing' || locked.reported_percent >= reached) return;
      const updated = await updateJob(trx, job.id, { reported_percent: reached });
      await emit(trx, updated, now);
    });
  }
}

/**
 * A job whose work is done waits only for the scheduler's next tick to deliver it. Cancelling it
 * would consume every material and give nothing, and pausing it would keep it from completing, so
 * both refuse it. Due by the scheduler's own test too: `due_at` is whole milliseconds and the
 * progress a fraction.
 */
function refuseFinished(job: JobRow, progress: number, now: Date): void {
  const due = job.due_at !== null && new Date(job.due_at) <= now;
  if (progress >= 1 || due) throw new AppError('INVALID_STATE', 'The job is finished: it completes with its output');
}

export async function cancelJob(trx: Trx, jobId: string, now: Date): Promise<JobRow> {
  const job = await lockJob(trx, jobId);
  if (!job) throw new AppError('NOT_FOUND', `No crafting job ${jobId}`);
  if (job.status === 'cancelled') return job;
  if (!activeStatuses.includes(job.status)) throw new AppError('INVALID_STATE', `The job is already ${job.status}`);
  const progress = progressOf(clockOf(job), now);
  refuseFinished(job, progress, now);
  const split = cancelRefund(parseJson(job.materials), job.status, progress);
  const consumed = Object.fromEntries(Object.entries(split).map(([asset, part]) => [asset, part.consumed]));
  await move(trx, consumeLegs(job, consumed));
  const cancelled = await updateJob(trx, jobId, {
    status: 'cancelled',
    consumed: JSON.stringify(consumed),
    progress_seconds: progress * Number(job.duration_seconds),
    started_at: null,
    due_at: null,
    finished_at: now,
  });
  await emit(trx, cancelled, now);
  return cancelled;
}

export async function pauseJob(trx: Trx, jobId: string, now: Date): Promise<JobRow> {
  const job = await lockJob(trx, jobId);
  if (!job) throw new AppError('NOT_FOUND', `No crafting job ${jobId}`);
  if (job.status === 'paused') return job;
  if (job.status !== 'processing')
    throw new AppError('INVALID_STATE', `Only a processing job pauses; this one is ${job.status}`);
  const progress = progressOf(clockOf(job), now);
  refuseFinished(job, progress, now);
  const paused = await updateJob(trx, jobId, {
    status: 'paused',
    progress_seconds: progress * Number(job.duration_seconds),
    started_at: null,
    due_at: null,
  });
  await emit(trx, paused, now);
  return paused;
}

export async function resumeJob(trx: Trx, jobId: string, timeScale: number, now: Date): Promise<JobRow> {
  const job = await lockJob(trx, jobId);
  if (!job) throw new AppError('NOT_FOUND', `No crafting job ${jobId}`);
  if (job.status === 'processing') return job;
  if (job.status !== 'paused')
    throw new AppError('INVALID_STATE', `Only a paused job resumes; this one is ${job.status}`);
  const clock = { ...clockOf(job), timeScale };
  const resumed = await updateJob(trx, jobId, {
    status: 'processing',
    time_scale: timeScale,
    started_at: now,
    due_at: dueAt(clock, now),
  });
  await emit(trx, resumed, now);
  return resumed;
}
