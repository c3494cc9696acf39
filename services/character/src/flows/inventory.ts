import { type IdempotencyRequest, type IdempotentResult, loadoutChanged, runIdempotentCommand } from '@necp/platform';
import { checkCallerOwns, derivedStats } from '../domain/character.ts';
import { checkDrop, checkUnequip, chooseEquipSlot, limitsFor, stackOf, useConsumable } from '../domain/inventory.ts';
import { knownTemplate } from '../domain/items.ts';
import type { EquipmentSlot } from '../domain/rules.ts';
import { type CharacterRecord, equippedTemplateIds, inventoryOf, inventoryUsage } from '../domain/sheet.ts';
import { findCharacter, updateCharacter } from '../store/characters.ts';
import { listStacks, setSlot, takeFromStack } from '../store/inventory.ts';
import type { CharacterTables, Queryable } from '../store/tables.ts';
import type { CharacterDeps } from './deps.ts';

async function inventoryAfter(trx: Queryable, character: CharacterRecord) {
  return inventoryOf(character, await listStacks(trx, character.id));
}

/**
 * Runs an inventory change, then, once it committed, moves the loadout's version (a refused change
 * moves nothing: no version key for ids that name no one).
 */
export async function changingLoadout<T>(
  deps: CharacterDeps,
  characterId: string,
  change: () => Promise<T>,
): Promise<T> {
  const result = await change();
  await loadoutChanged(deps.cache, characterId);
  return result;
}

/**
 * Every inventory change locks the character's row first: changes to one inventory run one after
 * another, so no two of them plan against the same stale picture.
 */
async function lockedInventory(trx: Queryable, characterId: string, accountId: string) {
  const character = await findCharacter(trx, characterId, { forUpdate: true });
  checkCallerOwns(character, accountId);
  return { character, stacks: await listStacks(trx, characterId) };
}

export async function ownInventory(deps: CharacterDeps, accountId: string, characterId: string) {
  const character = await findCharacter(deps.kysely, characterId);
  checkCallerOwns(character, accountId);
  return inventoryAfter(deps.kysely, character);
}

export function equipItem(
  deps: CharacterDeps,
  accountId: string,
  characterId: string,
  itemId: string,
  requestedSlot: EquipmentSlot | undefined,
) {
  return changingLoadout(deps, characterId, () =>
    deps.kysely.transaction().execute(async (trx) => {
      const { character, stacks } = await lockedInventory(trx, characterId, accountId);
      const item = stackOf(stacks, itemId);
      const occupied = new Set(stacks.flatMap((stack) => (stack.slot === null ? [] : [stack.slot])));
      const slot = chooseEquipSlot({
        item,
        template: knownTemplate(item.templateId),
        requestedSlot,
        occupied,
        attributes: character.attributes,
        skills: character.skills,
      });
      await setSlot(trx, item.id, slot);
      // Equipment changes the derived stats, so the sheet's version (its ETag) moves too.
      await updateCharacter(trx, characterId, {});
      return inventoryAfter(trx, character);
    }),
  );
}

export function unequipItem(deps: CharacterDeps, accountId: string, characterId: string, itemId: string) {
  return changingLoadout(deps, characterId, () =>
    deps.kysely.transaction().execute(async (trx) => {
      const { character, stacks } = await lockedInventory(trx, characterId, accountId);
      const item = stackOf(stacks, itemId);
      const derived = derivedStats(character.attributes, equippedTemplateIds(stacks));
      checkUnequip(item, inventoryUsage(stacks), limitsFor(derived.weightCapacityKg));
      await setSlot(trx, item.id, null);
      // Taking armor off can lower maxHealth below the current health.
      const after = derivedStats(
        character.attributes,
        equippedTemplateIds(stacks.filter((stack) => stack.id !== item.id)),
      );
      await updateCharacter(trx, characterId, { health: Math.min(character.health, after.maxHealth) });
      return inventoryAfter(trx, character);
    }),
  );
}

export function useItem(
  deps: CharacterDeps,
  accountId: string,
  characterId: string,
  itemId: string,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  return changingLoadout(deps, characterId, () =>
    runIdempotentCommand<CharacterTables>(deps.db, idempotency, async (trx) => {
      const { character, stacks } = await lockedInventory(trx, characterId, accountId);
      const item = stackOf(stacks, itemId);
      const maxHealth = derivedStats(character.attributes, equippedTemplateIds(stacks)).maxHealth;
      const health = useConsumable(knownTemplate(item.templateId), character.health, maxHealth);
      const quantityLeft = await takeFromStack(trx, item, 1);
      await updateCharacter(trx, characterId, { health });
      return { status: 200, body: { itemId, templateId: item.templateId, quantityLeft, health, maxHealth } };
    }),
  );
}

export function dropItem(
  deps: CharacterDeps,
  accountId: string,
  characterId: string,
  itemId: string,
  quantity: number | undefined,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  return changingLoadout(deps, characterId, () =>
    runIdempotentCommand<CharacterTables>(deps.db, idempotency, async (trx) => {
      const { character, stacks } = await lockedInventory(trx, characterId, accountId);
      const item = stackOf(stacks, itemId);
      const dropped = quantity ?? item.quantity;
      checkDrop(item, dropped);
      await takeFromStack(trx, item, dropped);
      return { status: 200, body: await inventoryAfter(trx, character) };
    }),
  );
}
