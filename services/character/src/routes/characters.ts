import { authOf, characterOwnerCacheKey, type HttpApp } from '@necp/platform';
import { etagOf, ifMatchHolds } from '../domain/character.ts';
import { sheetFromEquipment, summaryOf } from '../domain/sheet.ts';
import { createCharacter, deleteCharacter, patchCharacter, restoreCharacter } from '../store/character-actions.ts';
import { listCharacters, ownedCharacterWithEquipment } from '../store/characters.ts';
import { toRecord } from '../store/inventory.ts';
import type { CharacterTables } from '../store/tables.ts';
import { Prefix, type RouteDeps, sendOutcome } from './context.ts';
import {
  CharacterIdParams,
  CreateCharacterBody,
  DefaultPageSize,
  IdempotencyHeaders,
  ListQuery,
  ListSchema,
  PatchCharacterBody,
  PatchHeaders,
  problems,
  SheetHeaders,
  SheetSchema,
} from './schemas.ts';

const tags = ['characters'];
const security = [{ bearer: [] }];

export function characterRoutes(app: HttpApp, deps: RouteDeps): void {
  const { db, auth } = deps;
  const kysely = () => db.typed<CharacterTables>();
  const forgetOwner = (characterId: string) => deps.cache.delete(characterOwnerCacheKey(characterId));

  app.post(
    Prefix,
    {
      onRequest: auth.authenticate,
      schema: {
        tags,
        security,
        summary: 'Create a character (3 per account); honours Idempotency-Key',
        headers: IdempotencyHeaders,
        body: CreateCharacterBody,
        response: { 201: SheetSchema, 200: SheetSchema, ...problems(400, 401, 409, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await createCharacter(
        db,
        authOf(request).accountId,
        request.body,
        request.headers['idempotency-key'],
      );
      const body = outcome.body as { etag?: string };
      if (body.etag) reply.header('etag', body.etag);
      return sendOutcome(reply, outcome);
    },
  );

  app.get(
    Prefix,
    {
      onRequest: auth.authenticate,
      schema: {
        tags,
        security,
        summary: "The caller's characters (deleted=true: the restorable ones)",
        querystring: ListQuery,
        response: { 200: ListSchema, ...problems(400, 401) },
      },
    },
    async (request) => {
      const { limit = DefaultPageSize, cursor, deleted = false } = request.query;
      const page = await listCharacters(kysely(), authOf(request).accountId, { limit, cursor, deleted });
      return { items: page.rows.map((row) => summaryOf(toRecord(row))), nextCursor: page.nextCursor };
    },
  );

  app.get(
    `${Prefix}/:characterId`,
    {
      onRequest: auth.authenticate,
      schema: {
        tags,
        security,
        summary: 'Character sheet with derived stats; ETag, If-None-Match',
        params: CharacterIdParams,
        headers: SheetHeaders,
        response: { 200: SheetSchema, 304: {}, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { row, equipped } = await ownedCharacterWithEquipment(
        kysely(),
        request.params.characterId,
        authOf(request).accountId,
      );
      const etag = etagOf(row.id, row.version);
      reply.header('etag', etag);
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch !== undefined && ifMatchHolds(ifNoneMatch, etag)) return reply.code(304).send();
      return sheetFromEquipment(toRecord(row), equipped);
    },
  );

  app.patch(
    `${Prefix}/:characterId`,
    {
      onRequest: auth.authenticate,
      schema: {
        tags,
        security,
        summary: 'Change appearance or district; If-Match with a stale ETag is 412',
        params: CharacterIdParams,
        headers: PatchHeaders,
        body: PatchCharacterBody,
        response: { 200: SheetSchema, ...problems(400, 401, 403, 404, 412) },
      },
    },
    async (request, reply) => {
      const sheet = await patchCharacter(
        db,
        authOf(request).accountId,
        request.params.characterId,
        request.body,
        request.headers['if-match'],
      );
      reply.header('etag', sheet.etag);
      return sheet;
    },
  );

  app.delete(
    `${Prefix}/:characterId`,
    {
      onRequest: auth.authenticate,
      schema: {
        tags,
        security,
        summary: 'Soft delete: frees the slot, restorable for 30 days',
        params: CharacterIdParams,
        response: { 204: {}, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteCharacter(db, authOf(request).accountId, request.params.characterId);
      await forgetOwner(request.params.characterId);
      return reply.code(204).send();
    },
  );

  app.post(
    `${Prefix}/:characterId/restore`,
    {
      onRequest: auth.authenticate,
      schema: {
        tags,
        security,
        summary: 'Undo a delete within 30 days (409 without a free slot, 410 after the window)',
        params: CharacterIdParams,
        response: { 200: SheetSchema, ...problems(400, 401, 403, 404, 409, 410) },
      },
    },
    async (request, reply) => {
      const sheet = await restoreCharacter(db, authOf(request).accountId, request.params.characterId);
      await forgetOwner(request.params.characterId);
      reply.header('etag', sheet.etag);
      return sheet;
    },
  );
}
