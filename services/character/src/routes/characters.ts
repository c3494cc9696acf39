import {
  authOf,
  type HttpApp,
  IdempotencyHeaders,
  idempotencyOf,
  pageLimit,
  problems,
  sendResult,
} from '@necp/platform';
import { Type } from 'typebox';
import { characterSheet, charactersOf } from '../flows/character-reads.ts';
import {
  createCharacter,
  deleteCharacter,
  patchCharacter,
  restoreCharacter,
  setCharacterSkills,
} from '../flows/characters.ts';
import type { CharacterDeps } from '../flows/deps.ts';
import {
  CharacterIdParams,
  CreateCharacterBody,
  ListQuery,
  PatchCharacterBody,
  PatchHeaders,
  SetSkillsBody,
  SheetHeaders,
} from './request-schemas.ts';
import { ListSchema, SheetSchema } from './response-schemas.ts';

const tags = ['characters'];

/** The owner's characters, under `/api/v1/characters`. */
export function characterRoutes(app: HttpApp, deps: CharacterDeps): void {
  app.post(
    '',
    {
      schema: {
        tags,
        summary: 'Create a character (3 per account); honours Idempotency-Key',
        headers: IdempotencyHeaders,
        body: CreateCharacterBody,
        response: { 201: SheetSchema, 200: SheetSchema, ...problems(400, 409, 422) },
      },
    },
    async (request, reply) => {
      const { accountId } = authOf(request);
      const result = await createCharacter(
        deps,
        accountId,
        request.body,
        idempotencyOf(request, 'character', accountId),
      );
      const { etag } = result.body as { etag?: string };
      if (etag) reply.header('etag', etag);
      return sendResult(reply, result);
    },
  );

  app.get(
    '',
    {
      schema: {
        tags,
        summary: "The caller's characters (deleted=true: the restorable ones)",
        querystring: ListQuery,
        response: { 200: ListSchema, ...problems(400) },
      },
    },
    async (request) => {
      const { cursor, deleted = false } = request.query;
      return charactersOf(deps, authOf(request).accountId, { limit: pageLimit(request.query), cursor, deleted });
    },
  );

  app.get(
    '/:characterId',
    {
      schema: {
        tags,
        summary: 'Character sheet with derived stats; ETag, If-None-Match',
        params: CharacterIdParams,
        headers: SheetHeaders,
        response: { 200: SheetSchema, 304: Type.Null(), ...problems(400, 403, 404) },
      },
    },
    async (request, reply) => {
      const { etag, sheet } = await characterSheet(
        deps,
        authOf(request).accountId,
        request.params.characterId,
        request.headers['if-none-match'],
      );
      reply.header('etag', etag);
      if (!sheet) return reply.code(304).send(null);
      return sheet;
    },
  );

  app.patch(
    '/:characterId',
    {
      schema: {
        tags,
        summary: 'Change appearance or district; If-Match with a stale ETag is 412',
        params: CharacterIdParams,
        headers: PatchHeaders,
        body: PatchCharacterBody,
        response: { 200: SheetSchema, ...problems(400, 403, 404, 412) },
      },
    },
    async (request, reply) => {
      const sheet = await patchCharacter(
        deps,
        authOf(request).accountId,
        request.params.characterId,
        request.body,
        request.headers['if-match'],
      );
      reply.header('etag', sheet.etag);
      return sheet;
    },
  );

  app.put(
    '/:characterId/skills',
    {
      config: { access: { roles: ['admin', 'service'] } },
      schema: {
        tags,
        summary: "Set a character's skills, 0–100 each (admin or service: live ops); the others keep theirs",
        params: CharacterIdParams,
        body: SetSkillsBody,
        response: { 200: SheetSchema, ...problems(400, 403, 404) },
      },
    },
    async (request, reply) => {
      const sheet = await setCharacterSkills(deps, request.params.characterId, request.body.skills);
      reply.header('etag', sheet.etag);
      return sheet;
    },
  );

  app.delete(
    '/:characterId',
    {
      schema: {
        tags,
        summary: 'Soft delete: frees the slot, restorable for 30 days',
        params: CharacterIdParams,
        response: { 204: Type.Null(), ...problems(400, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteCharacter(deps, authOf(request).accountId, request.params.characterId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/:characterId/restore',
    {
      schema: {
        tags,
        summary: 'Undo a delete within 30 days (409 without a free slot, 410 after the window)',
        params: CharacterIdParams,
        response: { 200: SheetSchema, ...problems(400, 403, 404, 409, 410) },
      },
    },
    async (request, reply) => {
      const sheet = await restoreCharacter(deps, authOf(request).accountId, request.params.characterId);
      reply.header('etag', sheet.etag);
      return sheet;
    },
  );
}
