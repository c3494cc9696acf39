import type { Skills } from '@necp/contracts';
import { AppError } from '@necp/platform';
import type { ItemTemplate } from './items.ts';
import { type Attributes, DerivedStatRules, type EquipmentSlot } from './rules.ts';

export interface InventoryStack {
  id: string;
  templateId: string;
  quantity: number;
  slot: EquipmentSlot | null;
  durability: number | null;
}

export interface Usage {
  /** Backpack slots taken: equipped items sit in their equipment slot, not the backpack. */
  slotsUsed: number;
  weightGrams: number;
}

export function usageOf(stacks: readonly InventoryStack[], weightOf: (templateId: string) => number): Usage {
  let slotsUsed = 0;
  let weightGrams = 0;
  for (const stack of stacks) {
    if (stack.slot === null) slotsUsed += 1;
    weightGrams += weightOf(stack.templateId) * stack.quantity;
  }
  return { slotsUsed, weightGrams };
}

export const GramsPerKg = 1000;

export interface Limits {
  slotCapacity: number;
  weightCapacityGrams: number;
}

export function limitsFor(weightCapacityKg: number): Limits {
  return { slotCapacity: DerivedStatRules.backpackSlots, weightCapacityGrams: weightCapacityKg * GramsPerKg };
}

export interface GrantPlan {
  /** Existing stacks topped up, by id. */
  topUps: { id: string; add: number }[];
  /** Quantities of the stacks to create. */
  newStacks: number[];
}

/**
 * Where `quantity` units go: first into unequipped stacks of the same template below stack size,
 * then into new stacks. `enforceLimits: false` is for output already paid for (a finished crafting
 * job), which must not vanish because the backpack is full.
 */
export function planGrant(
  stacks: readonly InventoryStack[],
  template: ItemTemplate,
  quantity: number,
  usage: Usage,
  limits: Limits,
  enforceLimits = true,
): GrantPlan {
  const plan: GrantPlan = { topUps: [], newStacks: [] };
  let left = quantity;
  for (const stack of stacks) {
    if (left === 0) break;
    if (stack.templateId !== template.id || stack.slot !== null || stack.quantity >= template.stackSize) continue;
    const add = Math.min(template.stackSize - stack.quantity, left);
    plan.topUps.push({ id: stack.id, add });
    left -= add;
  }
  while (left > 0) {
    const size = Math.min(template.stackSize, left);
    plan.newStacks.push(size);
    left -= size;
  }
  if (!enforceLimits) return plan;
  if (usage.slotsUsed + plan.newStacks.length > limits.slotCapacity) {
    throw new AppError('INVENTORY_FULL', `The backpack holds ${limits.slotCapacity} stacks`, {
      extensions: { slotsUsed: usage.slotsUsed, slotsNeeded: plan.newStacks.length },
    });
  }
  const addedWeight = template.weightGrams * quantity;
  if (usage.weightGrams + addedWeight > limits.weightCapacityGrams) {
    throw new AppError('OVERWEIGHT', 'These items would exceed the weight the character can carry', {
      extensions: {
        weightKg: usage.weightGrams / GramsPerKg,
        addedKg: addedWeight / GramsPerKg,
        weightCapacityKg: limits.weightCapacityGrams / GramsPerKg,
      },
    });
  }
  return plan;
}

export interface EquipInput {
  item: InventoryStack;
  template: ItemTemplate;
  requestedSlot: EquipmentSlot | undefined;
  occupied: ReadonlySet<EquipmentSlot>;
  attributes: Attributes;
  skills: Skills;
}

/** The slot the item goes into, or why it cannot. */
export function chooseEquipSlot(input: EquipInput): EquipmentSlot {
  const { item, template, requestedSlot, occupied } = input;
  if (item.slot !== null) throw new AppError('INVALID_STATE', `The item is already equipped in ${item.slot}`);
  if (template.slots.length === 0) throw new AppError('INVALID_STATE', `A ${template.type} cannot be equipped`);
  if (requestedSlot !== undefined && !template.slots.includes(requestedSlot)) {
    throw new AppError('INVALID_STATE', `${template.id} fits ${template.slots.join(' or ')}, not ${requestedSlot}`);
  }
  const unmet = unmetRequirements(template, input.attributes, input.skills);
  if (unmet.length > 0) {
    throw new AppError('REQUIREMENTS_NOT_MET', `${template.id} needs ${unmet.join(', ')}`, {
      extensions: { requirements: template.requirements },
    });
  }
  const candidates = requestedSlot !== undefined ? [requestedSlot] : template.slots;
  const free = candidates.find((slot) => !occupied.has(slot));
  if (!free) throw new AppError('SLOT_OCCUPIED', `${candidates.join(' and ')} already hold an item`);
  return free;
}

export function unmetRequirements(template: ItemTemplate, attributes: Attributes, skills: Skills): string[] {
  const values: Record<string, number> = { ...attributes, ...skills };
  return Object.entries(template.requirements)
    .filter(([name, minimum]) => (values[name] ?? 0) < (minimum ?? 0))
    .map(([name, minimum]) => `${name} >= ${minimum}`);
}

/** Unequipping puts the item back in the backpack, which needs a free slot. */
export function checkUnequip(item: InventoryStack, usage: Usage, limits: Limits): void {
  if (item.slot === null) throw new AppError('INVALID_STATE', 'The item is not equipped');
  if (usage.slotsUsed >= limits.slotCapacity) {
    throw new AppError('INVENTORY_FULL', 'The backpack has no free slot for this item');
  }
}

/** New health after one use of a consumable. */
export function useConsumable(template: ItemTemplate, health: number, maxHealth: number): number {
  if (template.type !== 'consumable') throw new AppError('INVALID_STATE', `A ${template.type} cannot be used`);
  const heal = typeof template.stats.heal === 'number' ? template.stats.heal : 0;
  if (heal > 0 && health >= maxHealth) throw new AppError('INVALID_STATE', 'Health is already full');
  return Math.min(maxHealth, health + heal);
}

export function checkDrop(item: InventoryStack, quantity: number): void {
  if (item.slot !== null) throw new AppError('INVALID_STATE', 'Unequip the item before dropping it');
  if (quantity > item.quantity) {
    throw new AppError('VALIDATION_ERROR', `The stack holds ${item.quantity}`, {
      errors: [{ path: 'body/quantity', message: `must be at most ${item.quantity}` }],
    });
  }
}

export function stackOf(stacks: readonly InventoryStack[], itemId: string): InventoryStack {
  const stack = stacks.find((each) => each.id === itemId);
  if (!stack) throw new AppError('NOT_FOUND', 'No such item in this inventory');
  return stack;
}

export interface GrantContent {
  characterId: string;
  templateId: string;
  quantity: number;
}

/** A grant key names one grant: its repeat must ask for the same thing (409 otherwise). */
export function checkSameGrant(stored: GrantContent, requested: GrantContent): void {
  const same =
    stored.characterId.toLowerCase() === requested.characterId.toLowerCase() &&
    stored.templateId === requested.templateId &&
    stored.quantity === requested.quantity;
  if (!same) throw new AppError('CONFLICT', 'This source and sourceId already granted something else');
}
