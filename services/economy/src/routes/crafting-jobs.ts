import {
  authOf,
  type HttpApp,
  IdempotencyHeaders,
  idempotencyOf,
  pageQuery,
  pageSchema,
  problems,
  sendResult,
  Uuid,
} from '@necp/platform';
import { Type } from 'typebox';
import { craftingRules } from '../domain/crafting.ts';
import { craftingOperators } from '../domain/roles.ts';
import { cancelCraftingJob, pauseCraftingJob, resumeCraftingJob } from '../flows/crafting-job-actions.ts';
import { craftingJobFor, craftingJobsOf, queueCraftingJob } from '../flows/crafting-jobs.ts';
import type { EconomyDeps } from '../flows/deps.ts';
import { Counts, Nullable } from './schemas.ts';

const Timestamp = Type.String({ format: 'date-time' });

const JobSchema = Type.Object({
  jobId: Uuid,
  characterId: Uuid,
  blueprintId: Type.String(),
  workshopId: Type.String(),
  quantity: Type.Integer(),
  linkedOrderId: Nullable(Uuid),
  status: Type.String(),
  progressPercent: Type.Number(),
  eta: Nullable(Timestamp),
  materials: Counts,
  materialsConsumed: Counts,
  outputTemplateId: Type.String(),
  outputQuantity: Type.Integer(),
  queuedAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
});

const CreateJobBody = Type.Object(
  {
    characterId: Uuid,
    blueprintId: Type.String({ minLength: 1, maxLength: 64 }),
    workshopId: Type.String({ minLength: 1, maxLength: 64 }),
    quantity: Type.Integer({ minimum: 1, maximum: craftingRules.maxQuantity }),
    linkedOrderId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const params = Type.Object({ jobId: Uuid });

/**
 * Under `/api/v1/economy/crafting/jobs`: the character's owner (or a service) queues and reads jobs
 * and cancels them; operators pause and resume any job. How often a character may queue one is the
 * gateway's rule (RATE_LIMIT_CRAFTING_JOBS_PER_MINUTE).
 */
export function craftingJobRoutes(app: HttpApp, deps: EconomyDeps): void {
  app.post(
    '',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Queue a crafting job; its materials are held',
        headers: IdempotencyHeaders,
        body: CreateJobBody,
        response: { 201: JobSchema, ...problems(400, 403, 404, 409, 422, 423, 502, 503) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const idempotency = idempotencyOf(request, 'economy', caller.accountId);
      return sendResult(reply, await queueCraftingJob(deps, caller, request.body, idempotency));
    },
  );

  app.get(
    '',
    {
      config: { access: 'caller' },
      schema: {
        summary: "A character's crafting jobs, newest first",
        querystring: pageQuery({ characterId: Uuid }),
        response: { 200: pageSchema(JobSchema), ...problems(400, 403, 404) },
      },
    },
    async (request) => craftingJobsOf(deps, authOf(request), request.query),
  );

  app.get(
    '/:jobId',
    {
      config: { access: 'caller' },
      schema: { summary: 'One crafting job', params, response: { 200: JobSchema, ...problems(403, 404) } },
    },
    async (request) => craftingJobFor(deps, authOf(request), request.params.jobId),
  );

  const actionSchema = (summary: string) => ({
    summary,
    params,
    response: { 200: JobSchema, ...problems(403, 404, 409) },
  });
  app.post(
    '/:jobId/cancel',
    { config: { access: 'caller' }, schema: actionSchema('Cancel a crafting job') },
    async (request) => cancelCraftingJob(deps, authOf(request), request.params.jobId),
  );
  app.post(
    '/:jobId/pause',
    { config: { access: { roles: craftingOperators } }, schema: actionSchema('Pause a crafting job') },
    async (request) => pauseCraftingJob(deps, request.params.jobId),
  );
  app.post(
    '/:jobId/resume',
    { config: { access: { roles: craftingOperators } }, schema: actionSchema('Resume a crafting job') },
    async (request) => resumeCraftingJob(deps, request.params.jobId),
  );
}
