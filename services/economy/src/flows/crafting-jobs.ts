/** Crafting jobs made and read: a job holds its materials when queued and starts when its workshop has a slot. */
import { randomUUID } from 'node:crypto';
import {
  AppError,
  type AuthContext,
  decodeKeysetCursor,
  encodeKeysetCursor,
  hasAnyRole,
  type IdempotencyRequest,
  type IdempotentResult,
  pageLimit,
  runIdempotentCommand,
  storedIdempotentAnswer,
} from '@necp/platform';
import {
  type Blueprint,
  craftingRules,
  findBlueprint,
  isStressed,
  jobDurationSeconds,
  missingMaterials,
  requiredMaterials,
  type Skill,
  skillShortfall,
} from '../domain/crafting.ts';
import { type CraftingJob, holdLegs, type JobView, jobView } from '../domain/crafting-job.ts';
import { LedgerRefusal } from '../domain/ledger.ts';
import { craftingJobReaders, Roles } from '../domain/roles.ts';
import type { AccountBalance } from '../domain/wallets.ts';
import { publishCraftingJob } from '../events.ts';
import { activeJobCount, insertJob, listJobs, readJob, serializeCharacterCrafting } from '../store/crafting-jobs.ts';
import { characterBalances } from '../store/ledger-accounts.ts';
import type { EconomyTables, Trx } from '../store/tables.ts';
import { workshopWithTier } from '../store/workshops.ts';
import { startQueued } from './crafting-clock.ts';
import type { EconomyDeps } from './deps.ts';
import { move } from './movement.ts';

export interface CreateJob {
  characterId: string;
  blueprint: Blueprint;
  workshopId: string;
  quantity: number;
  linkedOrderId?: string | undefined;
}

const availableOf = (balances: AccountBalance[]) =>
  Object.fromEntries(balances.map((row) => [row.asset, row.balance - row.held]));

function missingMaterialsError(required: Record<string, number>, available: Record<string, number>): AppError {
  return new AppError('MISSING_MATERIALS', 'Not enough materials for this job', {
    extensions: { missingMaterials: missingMaterials(required, available) },
  });
}

/** Queues a job in the caller's transaction: its workshop, the active-job limit, the skill and the materials decide. */
export async function createJob(
  trx: Trx,
  input: CreateJob,
  skills: Partial<Record<Skill, number>>,
  timeScale: number,
  now: Date,
): Promise<JobView> {
  await serializeCharacterCrafting(trx, input.characterId);
  const workshop = await workshopWithTier(trx, input.workshopId);
  if (!workshop) throw new AppError('NOT_FOUND', `No workshop ${input.workshopId}`);
  if (!input.blueprint.workshops.includes(workshop.id)) {
    throw new AppError('VALIDATION_ERROR', `${input.blueprint.id} cannot be made at ${workshop.id}`);
  }
  if (workshop.status !== 'online') {
    throw new AppError('WORKSHOP_LOCKED', `Workshop ${workshop.id} is ${workshop.status}`, {
      extensions: { workshopId: workshop.id, workshopStatus: workshop.status },
    });
  }
  if ((await activeJobCount(trx, input.characterId)) >= craftingRules.maxActiveJobsPerCharacter) {
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
      { extensions: shortfall },
    );
  }
  const required = requiredMaterials(input.blueprint, input.quantity);
  const available = availableOf(await characterBalances(trx, input.characterId));
  if (missingMaterials(required, available).length > 0) throw missingMaterialsError(required, available);

  const jobId = randomUUID();
  let holds: Record<string, string>;
  try {
    const { transfers } = await move(trx, holdLegs(jobId, input.characterId, required));
    holds = Object.fromEntries(transfers.map((transfer) => [transfer.asset, transfer.id]));
  } catch (error) {
    // A transfer of materials can commit between our read and our lock; the lock's answer decides.
    if (error instanceof LedgerRefusal) {
      throw missingMaterialsError(required, availableOf(await characterBalances(trx, input.characterId)));
    }
    throw error;
  }
  const job = await insertJob(trx, {
    id: jobId,
    characterId: input.characterId,
    blueprintId: input.blueprint.id,
    workshopId: workshop.id,
    quantity: input.quantity,
    outputTemplateId: input.blueprint.output.templateId,
    outputQuantity: input.blueprint.output.quantity,
    linkedOrderId: input.linkedOrderId ?? null,
    materials: required,
    holds,
    durationSeconds: jobDurationSeconds(input.blueprint, input.quantity, isStressed(workshop.tier)),
    timeScale,
    queuedAt: now,
  });
  await publishCraftingJob(trx, jobView(job, now));
  await startQueued(trx, workshop.id, now);
  return jobView((await readJob(trx, jobId)) as CraftingJob, now);
}

export interface JobRequest {
  characterId: string;
  blueprintId: string;
  workshopId: string;
  quantity: number;
  linkedOrderId?: string | undefined;
}

/** A job for the caller's character (or any, for a service), its materials held at once. */
export async function queueCraftingJob(
  deps: EconomyDeps,
  caller: AuthContext,
  request: JobRequest,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  await deps.characters.assertCallerOwns(caller, request.characterId, [Roles.service]);
  const blueprint = findBlueprint(request.blueprintId);
  if (!blueprint) throw new AppError('NOT_FOUND', `No blueprint ${request.blueprintId}`);
  // A replay is answered before character-service is asked, so it does not need it to be up.
  const answered = idempotency === undefined ? undefined : await storedIdempotentAnswer(deps.database, idempotency);
  if (answered) return answered;
  // Asked outside the transaction, and only when the blueprint needs a skill: a character-service
  // that cannot answer refuses skill-gated jobs (503/502 UPSTREAM_UNAVAILABLE), never the others.
  const skills = blueprint.requires ? await deps.skillsOf(request.characterId) : {};
  return runIdempotentCommand<EconomyTables>(deps.database, idempotency, async (trx) => ({
    status: 201,
    body: await createJob(trx, { ...request, blueprint }, skills, deps.timeScale, new Date()),
  }));
}

/** The job, when the caller owns its character or has one of `bypassRoles`. */
export async function callersJob(
  deps: EconomyDeps,
  caller: AuthContext,
  jobId: string,
  bypassRoles: readonly string[],
): Promise<CraftingJob> {
  const job = await readJob(deps.db, jobId);
  if (!job) throw new AppError('NOT_FOUND', `No crafting job ${jobId}`);
  if (!hasAnyRole(caller, bypassRoles)) await deps.characters.assertCallerOwns(caller, job.characterId);
  return job;
}

/** One job: for its owner, operators, admins and services. */
export async function craftingJobFor(deps: EconomyDeps, caller: AuthContext, jobId: string): Promise<JobView> {
  return jobView(await callersJob(deps, caller, jobId, craftingJobReaders), new Date());
}

/** A character's jobs, newest first: for its owner, operators, admins and services. */
export async function craftingJobsOf(
  deps: EconomyDeps,
  caller: AuthContext,
  query: { characterId: string; limit?: number | undefined; cursor?: string | undefined },
): Promise<{ items: JobView[]; nextCursor: string | null }> {
  await deps.characters.assertCallerOwns(caller, query.characterId, craftingJobReaders);
  const after = query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor);
  const now = new Date();
  const { jobs, next } = await listJobs(deps.db, query.characterId, pageLimit(query), after);
  return { items: jobs.map((job) => jobView(job, now)), nextCursor: next ? encodeKeysetCursor(next) : null };
}
