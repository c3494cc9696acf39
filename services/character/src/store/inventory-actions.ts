import type { TopicPayload } from '@necp/contracts';
import { AppError, type SqlDatabase } from '@necp/platform';
import { derivedStats } from '../domain/character.ts';
import {
  checkDrop,
  checkUnequip,
  chooseEquipSlot,
  type InventoryStack,
  limitsFor,
  planGrant,
  useConsumable,
} from '../domain/inventory.ts';
import { findTemplate, type ItemTemplate } from '../domain/items.ts';
import type { EquipmentSlot } from '../domain/rules.ts';
import { equippedTemplateIds, inventoryOf, inventoryUsage, itemOf } from '../domain/sheet.ts';
import { type CharacterRow, findCharacter, isUniqueViolation, liveCharacter, ownedCharacter } from './characters.ts';
import { applyGrant, findGrant, listStacks, recordGrant, setSlot, takeFromStack, toRecord } from './inventory.ts';
import type { Queryable } from './tables.ts';
import { runCommand, transact } from './transaction.ts';

export async function inventoryFor(db: Queryable, row: CharacterRow) {
  return inventoryOf(toRecord(row), await listStacks(db, row.id));
}

function stackOf(stacks: readonly InventoryStack[], itemId: string): InventoryStack {
  const stack = stacks.find((each) => each.id === itemId);
  if (!stack) throw new AppError('NOT_FOUND', 'No such item in this inventory');
  return stack;
}

function templateOf(templateId: string): ItemTemplate {
  const template = findTemplate(templateId);
  // Rows only ever hold known templates; a missing one means the catalogue lost an entry.
  if (!template) throw new Error(`inventory holds unknown template ${templateId}`);
  return template;
}

/** Equipment changes the derived stats, so the sheet's version (its ETag) moves too. */
async function bumpVersion(trx: Queryable, characterId: string, health?: number): Promise<void> {
  await trx
    .updateTable('mvp_core.characters')
    .set((eb) => ({
      version: eb('version', '+', 1),
      updated_at: new Date(),
      ...(health === undefined ? {} : { health }),
    }))
    .where('id', '=', characterId)
    .execute();
}

/**
 * Every inventory change locks the character's row first: changes to one inventory run one after
 * another, so no two of them plan against the same stale picture.
 */
async function lockedInventory(trx: Queryable, characterId: string, accountId: string) {
  const row = await ownedCharacter(trx, characterId, accountId, { forUpdate: true });
  return { row, stacks: await listStacks(trx, characterId) };
}

export function equipItem(
  db: SqlDatabase,
  accountId: string,
  characterId: string,
  itemId: string,
  requestedSlot: EquipmentSlot | undefined,
) {
  return transact(db, async (trx) => {
    const { row, stacks } = await lockedInventory(trx, characterId, accountId);
    const item = stackOf(stacks, itemId);
    const occupied = new Set(stacks.flatMap((stack) => (stack.slot === null ? [] : [stack.slot])));
    const slot = chooseEquipSlot({
      item,
      template: templateOf(item.templateId),
      requestedSlot,
      occupied,
      attributes: row.attributes,
      skills: row.skills,
    });
    await setSlot(trx, item.id, slot);
    await bumpVersion(trx, characterId);
    return inventoryFor(trx, row);
  });
}

export function unequipItem(db: SqlDatabase, accountId: string, characterId: string, itemId: string) {
  return transact(db, async (trx) => {
    const { row, stacks } = await lockedInventory(trx, characterId, accountId);
    const item = stackOf(stacks, itemId);
    const derived = derivedStats(row.attributes, equippedTemplateIds(stacks));
    checkUnequip(item, inventoryUsage(stacks), limitsFor(derived.weightCapacityKg));
    await setSlot(trx, item.id, null);
    // Taking armor off can lower maxHealth below the current health.
    const after = derivedStats(row.attributes, equippedTemplateIds(stacks.filter((stack) => stack.id !== item.id)));
    await bumpVersion(trx, characterId, Math.min(row.health, after.maxHealth));
    return inventoryFor(trx, row);
  });
}

export function useItem(
  db: SqlDatabase,
  accountId: string,
  characterId: string,
  itemId: string,
  idempotencyKey: string | undefined,
) {
  return runCommand(
    db,
    { scope: `character:${accountId}:use:${characterId}`, key: idempotencyKey, request: { itemId } },
    async (trx) => {
      const { row, stacks } = await lockedInventory(trx, characterId, accountId);
      const item = stackOf(stacks, itemId);
      const maxHealth = derivedStats(row.attributes, equippedTemplateIds(stacks)).maxHealth;
      const health = useConsumable(templateOf(item.templateId), row.health, maxHealth);
      const quantityLeft = await takeFromStack(trx, item, 1);
      await bumpVersion(trx, characterId, health);
      return { status: 200, body: { itemId, templateId: item.templateId, quantityLeft, health, maxHealth } };
    },
  );
}

export function dropItem(
  db: SqlDatabase,
  accountId: string,
  characterId: string,
  itemId: string,
  quantity: number | undefined,
  idempotencyKey: string | undefined,
) {
  return runCommand(
    db,
    { scope: `character:${accountId}:drop:${characterId}`, key: idempotencyKey, request: { itemId, quantity } },
    async (trx) => {
      const { row, stacks } = await lockedInventory(trx, characterId, accountId);
      const item = stackOf(stacks, itemId);
      const dropped = quantity ?? item.quantity;
      checkDrop(item, dropped);
      await takeFromStack(trx, item, dropped);
      return { status: 200, body: await inventoryFor(trx, row) };
    },
  );
}

export interface GrantInput {
  characterId: string;
  templateId: string;
  quantity: number;
  source: string;
  sourceId: string;
}

export type GrantResponse = GrantInput & { items: ReturnType<typeof itemOf>[] };

export interface GrantResult {
  status: 200 | 201;
  body: GrantResponse;
}

function sameGrant(stored: { characterId: string; templateId: string; quantity: number }, input: GrantInput) {
  return (
    stored.characterId.toLowerCase() === input.characterId.toLowerCase() &&
    stored.templateId === input.templateId &&
    stored.quantity === input.quantity
  );
}

async function grantLocked(
  trx: Queryable,
  row: CharacterRow,
  input: GrantInput,
  enforceLimits: boolean,
): Promise<GrantResponse> {
  const template = findTemplate(input.templateId);
  if (!template) {
    throw new AppError('VALIDATION_ERROR', `Unknown item template ${input.templateId}`, {
      errors: [{ path: 'body/templateId', message: 'is not an item template' }],
    });
  }
  const stacks = await listStacks(trx, row.id);
  const limits = limitsFor(derivedStats(row.attributes, equippedTemplateIds(stacks)).weightCapacityKg);
  const plan = planGrant(stacks, template, input.quantity, inventoryUsage(stacks), limits, enforceLimits);
  const touched = await applyGrant(trx, row.id, template, plan);
  const body: GrantResponse = { ...input, items: touched.map(itemOf) };
  await recordGrant(trx, { ...input, response: body });
  return body;
}

/**
 * An admin's or a service's grant, once per (source, sourceId): a repeat with the same content
 * answers 200 with the first result; the same key for other content is 409.
 */
export async function grantItems(db: SqlDatabase, input: GrantInput): Promise<GrantResult> {
  const attempt = () =>
    transact(db, async (trx): Promise<GrantResult> => {
      const row = await liveCharacter(trx, input.characterId, { forUpdate: true });
      const stored = await findGrant(trx, input.source, input.sourceId);
      if (stored) {
        if (!sameGrant(stored, input)) {
          throw new AppError('CONFLICT', 'This source and sourceId already granted something else');
        }
        return { status: 200, body: stored.response as GrantResponse };
      }
      return { status: 201, body: await grantLocked(trx, row, input, true) };
    });
  try {
    return await attempt();
  } catch (error) {
    // The same (source, sourceId) for two characters at once: the loser re-reads the winner's grant.
    if (isUniqueViolation(error)) return attempt();
    throw error;
  }
}

export type CraftedOutcome = 'granted' | 'already-granted' | 'unknown-character' | 'unknown-template';

/**
 * Output of a completed crafting job, inside the consumer's transaction. Limits are not enforced:
 * the materials are already spent, so the items arrive even into a full or heavy backpack.
 */
export async function grantCraftedOutput(
  trx: Queryable,
  job: TopicPayload<'economy.crafting.jobs'>,
): Promise<CraftedOutcome> {
  const row = await findCharacter(trx, job.characterId, { forUpdate: true });
  if (!row) return 'unknown-character';
  if (!findTemplate(job.outputTemplateId)) return 'unknown-template';
  if (await findGrant(trx, CraftingSource, job.jobId)) return 'already-granted';
  await grantLocked(
    trx,
    row,
    {
      characterId: job.characterId,
      templateId: job.outputTemplateId,
      quantity: job.quantity,
      source: CraftingSource,
      sourceId: job.jobId,
    },
    false,
  );
  return 'granted';
}

export const CraftingSource = 'crafting';
