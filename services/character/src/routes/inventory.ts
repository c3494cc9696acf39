import { authOf, type HttpApp, IdempotencyHeaders, idempotencyOf, problems, sendResult } from '@necp/platform';
import type { CharacterDeps } from '../flows/deps.ts';
import { grantItems } from '../flows/grants.ts';
import { dropItem, equipItem, ownInventory, unequipItem, useItem } from '../flows/inventory.ts';
import { CharacterIdParams, DropBody, EmptyBody, EquipBody, GrantBody, ItemParams } from './request-schemas.ts';
import { GrantResultSchema, InventorySchema, UseResultSchema } from './response-schemas.ts';

const tags = ['inventory'];
const item = '/:characterId/inventory/:itemId';

/**
 * preValidation: an action whose body is all optional may be sent without one; the schema then
 * checks `{}`, and anything actually sent is still validated.
 */
function bodyMayBeOmitted(request: { body: unknown }, _reply: unknown, done: () => void): void {
  request.body ??= {};
  done();
}

/** A character's inventory, under `/api/v1/characters`: the owner's actions and the grants of admins and services. */
export function inventoryRoutes(app: HttpApp, deps: CharacterDeps): void {
  app.get(
    '/:characterId/inventory',
    {
      schema: {
        tags,
        summary: 'Items, slots used of 50, weight against capacity',
        params: CharacterIdParams,
        response: { 200: InventorySchema, ...problems(400, 403, 404) },
      },
    },
    async (request) => ownInventory(deps, authOf(request).accountId, request.params.characterId),
  );

  app.post(
    `${item}/equip`,
    {
      preValidation: bodyMayBeOmitted,
      schema: {
        tags,
        summary: 'Equip into a slot (the first free fitting one when none is named)',
        params: ItemParams,
        body: EquipBody,
        response: { 200: InventorySchema, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { characterId, itemId } = request.params;
      return equipItem(deps, authOf(request).accountId, characterId, itemId, request.body.slot);
    },
  );

  app.post(
    `${item}/unequip`,
    {
      preValidation: bodyMayBeOmitted,
      schema: {
        tags,
        summary: 'Put an equipped item back into the backpack',
        params: ItemParams,
        body: EmptyBody,
        response: { 200: InventorySchema, ...problems(400, 403, 404, 409) },
      },
    },
    async (request) => {
      const { characterId, itemId } = request.params;
      return unequipItem(deps, authOf(request).accountId, characterId, itemId);
    },
  );

  app.post(
    `${item}/use`,
    {
      preValidation: bodyMayBeOmitted,
      schema: {
        tags,
        summary: 'Consume one unit of a consumable; honours Idempotency-Key',
        params: ItemParams,
        headers: IdempotencyHeaders,
        body: EmptyBody,
        response: { 200: UseResultSchema, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { accountId } = authOf(request);
      const { characterId, itemId } = request.params;
      const idempotency = idempotencyOf(request, 'character', accountId);
      return sendResult(reply, await useItem(deps, accountId, characterId, itemId, idempotency));
    },
  );

  app.post(
    `${item}/drop`,
    {
      preValidation: bodyMayBeOmitted,
      schema: {
        tags,
        summary: 'Throw away a stack or part of it; honours Idempotency-Key',
        params: ItemParams,
        headers: IdempotencyHeaders,
        body: DropBody,
        response: { 200: InventorySchema, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { accountId } = authOf(request);
      const { characterId, itemId } = request.params;
      const idempotency = idempotencyOf(request, 'character', accountId);
      return sendResult(
        reply,
        await dropItem(deps, accountId, characterId, itemId, request.body.quantity, idempotency),
      );
    },
  );

  app.post(
    '/:characterId/inventory/grants',
    {
      config: { access: { roles: ['admin', 'service'] } },
      schema: {
        tags,
        summary: 'Grant items (admin or service); idempotent on (source, sourceId)',
        params: CharacterIdParams,
        body: GrantBody,
        response: { 201: GrantResultSchema, 200: GrantResultSchema, ...problems(400, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const result = await grantItems(deps, { ...request.body, characterId: request.params.characterId });
      return reply.code(result.status).send(result.body);
    },
  );
}
