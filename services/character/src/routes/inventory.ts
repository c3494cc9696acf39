import { authOf, type HttpApp } from '@necp/platform';
import { ownedCharacter } from '../store/characters.ts';
import { dropItem, equipItem, grantItems, inventoryFor, unequipItem, useItem } from '../store/inventory-actions.ts';
import type { CharacterTables } from '../store/tables.ts';
import { Prefix, type RouteDeps, sendOutcome } from './context.ts';
import {
  bodyMayBeOmitted,
  CharacterIdParams,
  DropBody,
  EmptyBody,
  EquipBody,
  GrantBody,
  GrantResultSchema,
  IdempotencyHeaders,
  InventorySchema,
  ItemParams,
  problems,
  UseResultSchema,
} from './schemas.ts';

const tags = ['inventory'];
const security = [{ bearer: [] }];
const itemPath = `${Prefix}/:characterId/inventory/:itemId`;

export function inventoryRoutes(app: HttpApp, deps: RouteDeps): void {
  const { db, auth } = deps;

  app.get(
    `${Prefix}/:characterId/inventory`,
    {
      onRequest: auth.authenticate,
      schema: {
        tags,
        security,
        summary: 'Items, slots used of 50, weight against capacity',
        params: CharacterIdParams,
        response: { 200: InventorySchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const kysely = db.typed<CharacterTables>();
      const row = await ownedCharacter(kysely, request.params.characterId, authOf(request).accountId);
      return inventoryFor(kysely, row);
    },
  );

  app.post(
    `${itemPath}/equip`,
    {
      onRequest: auth.authenticate,
      preValidation: bodyMayBeOmitted,
      schema: {
        tags,
        security,
        summary: 'Equip into a slot (the first free fitting one when none is named)',
        params: ItemParams,
        body: EquipBody,
        response: { 200: InventorySchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      equipItem(db, authOf(request).accountId, request.params.characterId, request.params.itemId, request.body.slot),
  );

  app.post(
    `${itemPath}/unequip`,
    {
      onRequest: auth.authenticate,
      preValidation: bodyMayBeOmitted,
      schema: {
        tags,
        security,
        summary: 'Put an equipped item back into the backpack',
        params: ItemParams,
        body: EmptyBody,
        response: { 200: InventorySchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => unequipItem(db, authOf(request).accountId, request.params.characterId, request.params.itemId),
  );

  app.post(
    `${itemPath}/use`,
    {
      onRequest: auth.authenticate,
      preValidation: bodyMayBeOmitted,
      schema: {
        tags,
        security,
        summary: 'Consume one unit of a consumable; honours Idempotency-Key',
        params: ItemParams,
        headers: IdempotencyHeaders,
        body: EmptyBody,
        response: { 200: UseResultSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendOutcome(
        reply,
        await useItem(
          db,
          authOf(request).accountId,
          request.params.characterId,
          request.params.itemId,
          request.headers['idempotency-key'],
        ),
      ),
  );

  app.post(
    `${itemPath}/drop`,
    {
      onRequest: auth.authenticate,
      preValidation: bodyMayBeOmitted,
      schema: {
        tags,
        security,
        summary: 'Throw away a stack or part of it; honours Idempotency-Key',
        params: ItemParams,
        headers: IdempotencyHeaders,
        body: DropBody,
        response: { 200: InventorySchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendOutcome(
        reply,
        await dropItem(
          db,
          authOf(request).accountId,
          request.params.characterId,
          request.params.itemId,
          request.body.quantity,
          request.headers['idempotency-key'],
        ),
      ),
  );

  app.post(
    `${Prefix}/:characterId/inventory/grants`,
    {
      onRequest: [auth.authenticate, auth.requireRole('admin', 'service')],
      schema: {
        tags,
        security,
        summary: 'Grant items (admin or service); idempotent on (source, sourceId)',
        params: CharacterIdParams,
        body: GrantBody,
        response: { 201: GrantResultSchema, 200: GrantResultSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const result = await grantItems(db, { ...request.body, characterId: request.params.characterId });
      return reply.code(result.status).send(result.body);
    },
  );
}
