import { AppError, decodeKeysetCursor, type HttpApp, hasAnyRole, type SqlDatabase } from '@necp/platform';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type Access, Roles } from '../access.ts';
import { MATERIALS } from '../domain/catalogue.ts';
import { blueprints, craftingRules, findBlueprint } from '../domain/crafting.ts';
import type { SkillsLookup } from '../store/characters-store.ts';
import {
  cancelJob,
  createJob,
  type JobView,
  jobView,
  listJobs,
  listWorkshops,
  patchWorkshop,
  pauseJob,
  readJob,
  resumeJob,
  startQueued,
} from '../store/crafting-store.ts';
import type { EconomyDb } from '../store/ledger-store.ts';
import { retryTransaction } from '../store/retry.ts';
import { answeredBefore, runOnce, send } from './idempotent.ts';
import { bearer, DEFAULT_PAGE_SIZE, IdempotencyHeaders, problems, Uuid } from './schemas.ts';

const Counts = Type.Record(Type.String(), Type.Integer());
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

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

const BlueprintSchema = Type.Object({
  blueprintId: Type.String(),
  inputs: Counts,
  output: Type.Object({ templateId: Type.String(), quantity: Type.Integer() }),
  durationSeconds: Type.Integer(),
  requiredSkill: Nullable(Type.Object({ skill: Type.String(), level: Type.Integer() })),
  workshops: Type.Array(Type.String()),
});

const WorkshopStatus = Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('maintenance')]);
const WorkshopSchema = Type.Object({
  workshopId: Type.String(),
  district: Type.String(),
  capacity: Type.Integer(),
  status: WorkshopStatus,
  busySlots: Type.Integer(),
  queuedJobs: Type.Integer(),
  stressed: Type.Boolean(),
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

const blueprintView = (id: string) => {
  const blueprint = findBlueprint(id);
  if (!blueprint) throw new AppError('NOT_FOUND', `No blueprint ${id}`);
  return {
    blueprintId: blueprint.id,
    inputs: blueprint.inputs as Record<string, number>,
    output: blueprint.output,
    durationSeconds: blueprint.durationSeconds,
    requiredSkill: blueprint.requires,
    workshops: [...blueprint.workshops],
  };
};

const operators = [Roles.operator, Roles.admin];
const jobReaders = [Roles.operator, Roles.admin, Roles.service];

export function craftingRoutes(
  app: HttpApp,
  access: Access,
  db: SqlDatabase,
  typed: EconomyDb,
  skillsOf: SkillsLookup,
  scale: number,
): void {
  const timeScale = () => scale;
  const auth = { preHandler: access.authenticate };

  app.get(
    '/api/v1/economy/materials',
    {
      schema: {
        summary: 'Material assets',
        security: bearer,
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ asset: Type.String() })) }) },
      },
      ...auth,
    },
    async () => ({ items: MATERIALS.map((asset) => ({ asset })) }),
  );
  app.get(
    '/api/v1/economy/crafting/blueprints',
    {
      schema: {
        summary: 'Blueprints',
        security: bearer,
        response: { 200: Type.Object({ items: Type.Array(BlueprintSchema) }) },
      },
      ...auth,
    },
    async () => ({ items: blueprints.map((blueprint) => blueprintView(blueprint.id)) }),
  );
  app.get(
    '/api/v1/economy/crafting/blueprints/:blueprintId',
    {
      schema: {
        summary: 'One blueprint',
        security: bearer,
        params: Type.Object({ blueprintId: Type.String({ maxLength: 64 }) }),
        response: { 200: BlueprintSchema, ...problems(404) },
      },
      ...auth,
    },
    async (request) => blueprintView(request.params.blueprintId),
  );
  app.get(
    '/api/v1/economy/crafting/workshops',
    {
      schema: {
        summary: 'Workshops',
        security: bearer,
        response: { 200: Type.Object({ items: Type.Array(WorkshopSchema) }) },
      },
      ...auth,
    },
    async () => ({ items: await listWorkshops(typed) }),
  );
  app.patch(
    '/api/v1/economy/crafting/workshops/:workshopId',
    {
      schema: {
        summary: 'Set a workshop status or capacity (world.operator or admin)',
        security: bearer,
        params: Type.Object({ workshopId: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            status: Type.Optional(WorkshopStatus),
            capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: WorkshopSchema, ...problems(400, 401, 403, 404) },
      },
      preHandler: [access.authenticate, access.requireRole(...operators)],
    },
    async (request) => {
      const id = request.params.workshopId;
      await typed.transaction().execute((trx) => patchWorkshop(trx, id, request.body));
      // Back online or more room: waiting jobs start now rather than at the next tick.
      await typed.transaction().execute((trx) => startQueued(trx, id, new Date()));
      return (await listWorkshops(typed, id))[0];
    },
  );

  app.post(
    '/api/v1/economy/crafting/jobs',
    {
      schema: {
        summary: 'Queue a crafting job; its materials are held',
        security: bearer,
        headers: IdempotencyHeaders,
        body: CreateJobBody,
        response: { 201: JobSchema, ...problems(400, 401, 403, 404, 409, 422, 423, 429, 502, 503) },
      },
      preHandler: access.authenticate,
    },
    async (request, reply) => {
      const body = request.body;
      await access.assertCharacter(request, body.characterId, [Roles.service]);
      const blueprint = findBlueprint(body.blueprintId);
      if (!blueprint) throw new AppError('NOT_FOUND', `No blueprint ${body.blueprintId}`);
      await access.limit(`crafting-create:${body.characterId}`, craftingRules.createsPerMinutePerCharacter, 60_000);
      const caller = access.caller(request);
      // A replay is answered before character-service is asked, so it does not need it to be up.
      const answered = await answeredBefore(db, request, caller.accountId);
      if (answered) return send(reply, answered);
      // Asked outside the transaction, and only when the blueprint needs a skill: a character-service
      // that cannot answer refuses skill-gated jobs (503/502 UPSTREAM_UNAVAILABLE), never the others.
      const skills = blueprint.requires ? await skillsOf(body.characterId) : {};
      const result = await runOnce(db, request, caller.accountId, async (trx) => ({
        status: 201,
        body: await createJob(trx, { ...body, blueprint }, skills, timeScale(), new Date()),
      }));
      return send(reply, result);
    },
  );

  app.get(
    '/api/v1/economy/crafting/jobs',
    {
      schema: {
        summary: "A character's crafting jobs, newest first",
        security: bearer,
        querystring: Type.Object(
          {
            characterId: Uuid,
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(JobSchema), nextCursor: Nullable(Type.String()) }),
          ...problems(400, 401, 403, 404),
        },
      },
      ...auth,
    },
    async (request) => {
      const { characterId, limit, cursor } = request.query;
      await access.assertCharacter(request, characterId, jobReaders);
      return listJobs(
        typed,
        characterId,
        limit ?? DEFAULT_PAGE_SIZE,
        cursor ? decodeKeysetCursor(cursor) : undefined,
        new Date(),
      );
    },
  );

  const jobParams = Type.Object({ jobId: Uuid });
  const ownJob = async (request: FastifyRequest, jobId: string, bypass: readonly string[]): Promise<JobView> => {
    const job = await readJob(typed, jobId, new Date());
    if (!job) throw new AppError('NOT_FOUND', `No crafting job ${jobId}`);
    if (!hasAnyRole(access.caller(request), bypass)) await access.assertCharacter(request, job.characterId);
    return job;
  };
  app.get(
    '/api/v1/economy/crafting/jobs/:jobId',
    {
      schema: {
        summary: 'One crafting job',
        security: bearer,
        params: jobParams,
        response: { 200: JobSchema, ...problems(401, 403, 404) },
      },
      ...auth,
    },
    async (request) => ownJob(request, request.params.jobId, jobReaders),
  );

  const action = (
    name: string,
    who: 'owner' | 'operator',
    run: (trx: Parameters<typeof cancelJob>[0], jobId: string, now: Date) => ReturnType<typeof cancelJob>,
  ) =>
    app.post(
      `/api/v1/economy/crafting/jobs/:jobId/${name}`,
      {
        schema: {
          summary: `${name[0]?.toUpperCase()}${name.slice(1)} a crafting job`,
          security: bearer,
          params: jobParams,
          response: { 200: JobSchema, ...problems(401, 403, 404, 409) },
        },
        preHandler: who === 'operator' ? [access.authenticate, access.requireRole(...operators)] : access.authenticate,
      },
      async (request) => {
        const jobId = request.params.jobId;
        if (who === 'owner') await ownJob(request, jobId, operators);
        const now = new Date();
        const row = await retryTransaction(() => typed.transaction().execute((trx) => run(trx, jobId, now)));
        // A freed slot goes to the next queued job at once.
        if (name === 'cancel')
          await typed.transaction().execute((trx) => startQueued(trx, row.workshop_id, new Date()));
        return jobView(row, now);
      },
    );
  action('cancel', 'owner', cancelJob);
  action('pause', 'operator', pauseJob);
  action('resume', 'operator', (trx, jobId, now) => resumeJob(trx, jobId, timeScale(), now));
}
