/**
 * Which owned mod item fills each slot after a PATCH (the mod rules themselves are mods.ts'): the
 * character must own the item, and an item sits on one weapon at a time. A slot that names an item
 * takes that one; a slot that names only a mod keeps the item already there, else takes an owned item
 * of that mod that no other weapon holds. What cannot be filled is a conflict with the owned, free
 * items that could go there instead.
 */
import type { ModConflict } from './mods.ts';
import type { InstalledMods, ModSlot } from './names.ts';
import { ModSlots } from './names.ts';

export interface OwnedModItem {
  itemId: string;
  templateId: string;
}

export interface PlacedModItem {
  slot: ModSlot;
  modItemId: string;
  modId: string;
}

export type ItemConflictRule = 'NOT_OWNED' | 'INSTALLED_ELSEWHERE';

export interface ItemConflict {
  slot: ModSlot;
  modId: string;
  itemId?: string;
  rule: ItemConflictRule;
  message: string;
  /** Owned, free items of the mod for the slot, then null: leave it empty. */
  suggestions: { slot: ModSlot; modId: string | null; itemId?: string }[];
}

export interface ModItemsInput {
  /** The weapon's mods after the patch, by slot (template ids). */
  mods: InstalledMods;
  /** Items the patch names per slot, when it names one. */
  requestedItems: Partial<Record<ModSlot, string>>;
  /** What the weapon holds now (items still owned). */
  current: readonly PlacedModItem[];
  owned: readonly OwnedModItem[];
  /** Owned mod items installed on another weapon: item id → that weapon. */
  heldElsewhere: ReadonlyMap<string, string>;
}

export function placeModItems(input: ModItemsInput): { placed: PlacedModItem[]; conflicts: ItemConflict[] } {
  const placed: PlacedModItem[] = [];
  const conflicts: ItemConflict[] = [];
  const taken = new Set<string>();
  const free = (item: OwnedModItem) => !input.heldElsewhere.has(item.itemId) && !taken.has(item.itemId);
  const freeFor = (slot: ModSlot, modId: string) =>
    input.owned
      .filter((item) => item.templateId === modId && free(item))
      .map((item) => ({ slot, modId, itemId: item.itemId }));
  for (const slot of ModSlots) {
    const modId = input.mods[slot];
    if (modId == null) continue;
    const requested = input.requestedItems[slot];
    const current = input.current.find((mod) => mod.slot === slot && mod.modId === modId);
    const itemId =
      requested ?? current?.modItemId ?? input.owned.find((item) => item.templateId === modId && free(item))?.itemId;
    const item = itemId === undefined ? undefined : input.owned.find((owned) => owned.itemId === itemId);
    if (!item || item.templateId !== modId) {
      conflicts.push({
        slot,
        modId,
        ...(requested === undefined ? {} : { itemId: requested }),
        rule: 'NOT_OWNED',
        message:
          requested === undefined
            ? `the character owns no free ${modId}`
            : `the character owns no ${modId} ${requested}`,
        suggestions: [...freeFor(slot, modId), { slot, modId: null }],
      });
      continue;
    }
    if (input.heldElsewhere.has(item.itemId) || taken.has(item.itemId)) {
      conflicts.push({
        slot,
        modId,
        itemId: item.itemId,
        rule: 'INSTALLED_ELSEWHERE',
        message: `${modId} ${item.itemId} is installed on another weapon`,
        suggestions: [...freeFor(slot, modId), { slot, modId: null }],
      });
      continue;
    }
    taken.add(item.itemId);
    placed.push({ slot, modItemId: item.itemId, modId });
  }
  return { placed, conflicts };
}

/** Every conflict of a PATCH, rule conflicts and item conflicts together, with the slots they name. */
export function allConflicts(rules: readonly ModConflict[], items: readonly ItemConflict[]) {
  const conflicts = [...rules, ...items];
  const conflictingSlots = ModSlots.filter((slot) => conflicts.some((conflict) => conflict.slot === slot));
  return { conflicts, conflictingSlots };
}
