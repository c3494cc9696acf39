import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { GrantPlan, InventoryStack } from '../domain/inventory.ts';
import type { ItemTemplate } from '../domain/items.ts';
import type { EquipmentSlot } from '../domain/rules.ts';
import type { InventoryItemTable, Queryable } from './tables.ts';

type ItemRow = Selectable<InventoryItemTable>;

function toStack(row: ItemRow): InventoryStack {
  return {
    id: row.id,
    templateId: row.template_id,
    quantity: row.quantity,
    slot: row.slot as EquipmentSlot | null,
    durability: row.durability,
  };
}

/** Oldest first, so stacks fill and list in a stable order. */
export async function listStacks(db: Queryable, characterId: string): Promise<InventoryStack[]> {
  const rows = await db
    .selectFrom('mvp_core.inventory_items')
    .selectAll()
    .where('character_id', '=', characterId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toStack);
}

/** Applies a grant plan; returns the stacks it touched. Caller holds the character's row lock. */
export async function applyGrant(
  trx: Queryable,
  characterId: string,
  template: ItemTemplate,
  plan: GrantPlan,
): Promise<InventoryStack[]> {
  const touched: InventoryStack[] = [];
  for (const topUp of plan.topUps) {
    const row = await trx
      .updateTable('mvp_core.inventory_items')
      .set((eb) => ({ quantity: eb('quantity', '+', topUp.add) }))
      .where('id', '=', topUp.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    touched.push(toStack(row));
  }
  if (plan.newStacks.length > 0) {
    // Strictly increasing timestamps per inventory keep the creation order even within one millisecond.
    const latest = await trx
      .selectFrom('mvp_core.inventory_items')
      .select((eb) => eb.fn.max('created_at').as('latest'))
      .where('character_id', '=', characterId)
      .executeTakeFirst();
    const base = Math.max(Date.now(), (latest?.latest ? new Date(latest.latest).getTime() : 0) + 1);
    const rows = await trx
      .insertInto('mvp_core.inventory_items')
      .values(
        plan.newStacks.map((quantity, index) => ({
          id: randomUUID(),
          character_id: characterId,
          template_id: template.id,
          quantity,
          slot: null,
          durability: template.maxDurability,
          created_at: new Date(base + index),
        })),
      )
      .returningAll()
      .execute();
    touched.push(...rows.map(toStack));
  }
  return touched;
}

export async function setSlot(trx: Queryable, itemId: string, slot: EquipmentSlot | null): Promise<void> {
  await trx.updateTable('mvp_core.inventory_items').set({ slot }).where('id', '=', itemId).execute();
}

/** Takes `quantity` off a stack, removing it when nothing is left. */
export async function takeFromStack(trx: Queryable, stack: InventoryStack, quantity: number): Promise<number> {
  const left = stack.quantity - quantity;
  if (left === 0) {
    await trx.deleteFrom('mvp_core.inventory_items').where('id', '=', stack.id).execute();
  } else {
    await trx.updateTable('mvp_core.inventory_items').set({ quantity: left }).where('id', '=', stack.id).execute();
  }
  return left;
}

export interface StoredGrant {
  characterId: string;
  templateId: string;
  quantity: number;
  response: unknown;
}

export async function findGrant(db: Queryable, source: string, sourceId: string): Promise<StoredGrant | undefined> {
  const row = await db
    .selectFrom('mvp_core.inventory_grants')
    .select(['character_id', 'template_id', 'quantity', 'response'])
    .where('source', '=', source)
    .where('source_id', '=', sourceId)
    .executeTakeFirst();
  return (
    row && {
      characterId: row.character_id,
      templateId: row.template_id,
      quantity: row.quantity,
      response: row.response,
    }
  );
}

export async function recordGrant(
  trx: Queryable,
  grant: {
    source: string;
    sourceId: string;
    characterId: string;
    templateId: string;
    quantity: number;
    response: unknown;
  },
): Promise<void> {
  await trx
    .insertInto('mvp_core.inventory_grants')
    .values({
      source: grant.source,
      source_id: grant.sourceId,
      character_id: grant.characterId,
      template_id: grant.templateId,
      quantity: grant.quantity,
      response: JSON.stringify(grant.response),
    })
    .execute();
}
