import type { HttpApp } from '@necp/platform';
import { problems } from '@necp/platform';
import { Type } from 'typebox';
import { craftingOperators } from '../domain/roles.ts';
import { allBlueprints, blueprintOf, changeWorkshop, materials, workshops } from '../flows/crafting-catalogue.ts';
import type { EconomyDeps } from '../flows/deps.ts';
import { Counts, Nullable } from './schemas.ts';

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

/** Under `/api/v1/economy`: the materials, blueprints and workshops any player reads; workshops run by operators. */
export function craftingCatalogueRoutes(app: HttpApp, deps: EconomyDeps): void {
  app.get(
    '/materials',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'Material assets',
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ asset: Type.String() })) }) },
      },
    },
    async () => materials(),
  );
  app.get(
    '/crafting/blueprints',
    {
      config: { access: 'caller' },
      schema: { summary: 'Blueprints', response: { 200: Type.Object({ items: Type.Array(BlueprintSchema) }) } },
    },
    async () => allBlueprints(),
  );
  app.get(
    '/crafting/blueprints/:blueprintId',
    {
      config: { access: 'caller' },
      schema: {
        summary: 'One blueprint',
        params: Type.Object({ blueprintId: Type.String({ maxLength: 64 }) }),
        response: { 200: BlueprintSchema, ...problems(404) },
      },
    },
    async (request) => blueprintOf(request.params.blueprintId),
  );
  app.get(
    '/crafting/workshops',
    {
      config: { access: 'caller' },
      schema: { summary: 'Workshops', response: { 200: Type.Object({ items: Type.Array(WorkshopSchema) }) } },
    },
    async () => workshops(deps),
  );
  app.patch(
    '/crafting/workshops/:workshopId',
    {
      config: { access: { roles: craftingOperators } },
      schema: {
        summary: 'Set a workshop status or capacity (world.operator or admin)',
        params: Type.Object({ workshopId: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            status: Type.Optional(WorkshopStatus),
            capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: WorkshopSchema, ...problems(400, 404) },
      },
    },
    async (request) => changeWorkshop(deps, request.params.workshopId, request.body),
  );
}
