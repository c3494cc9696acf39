import type { Skills } from '@necp/contracts';
import { derivedStats, etagOf, restorableUntil } from './character.ts';
import { GramsPerKg, type InventoryStack, limitsFor, usageOf } from './inventory.ts';
import { findTemplate } from './items.ts';
import type { Attributes } from './rules.ts';

/** A character as the domain sees it (the store maps its rows to this). */
export interface CharacterRecord {
  id: string;
  accountId: string;
  name: string;
  /** What names are unique on (`nameKey`), as stored when the name was given. */
  nameKey: string;
  origin: string;
  class: string;
  faction: string | null;
  appearance: Record<string, string>;
  district: string;
  attributes: Attributes;
  skills: Skills;
  level: number;
  xp: number;
  health: number;
  reputation: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export function equippedTemplateIds(stacks: readonly InventoryStack[]): string[] {
  return stacks.filter((stack) => stack.slot !== null).map((stack) => stack.templateId);
}

export function summaryOf(character: CharacterRecord) {
  return {
    characterId: character.id,
    name: character.name,
    origin: character.origin,
    class: character.class,
    faction: character.faction,
    level: character.level,
    district: character.district,
    createdAt: character.createdAt.toISOString(),
    deletedAt: character.deletedAt?.toISOString() ?? null,
    restorableUntil: character.deletedAt ? restorableUntil(character.deletedAt).toISOString() : null,
  };
}

export function sheetOf(character: CharacterRecord, stacks: readonly InventoryStack[]) {
  return sheetFromEquipment(character, equippedTemplateIds(stacks));
}

/** The sheet from the template ids in equipment slots, which is all the derived stats depend on. */
export function sheetFromEquipment(character: CharacterRecord, equipped: readonly string[]) {
  return {
    ...summaryOf(character),
    accountId: character.accountId,
    appearance: character.appearance,
    attributes: character.attributes,
    skills: character.skills,
    xp: character.xp,
    health: character.health,
    reputation: character.reputation,
    derived: derivedStats(character.attributes, equipped),
    updatedAt: character.updatedAt.toISOString(),
    etag: etagOf(character.id, character.version),
  };
}

const weightOf = (templateId: string) => findTemplate(templateId)?.weightGrams ?? 0;

export function inventoryUsage(stacks: readonly InventoryStack[]) {
  return usageOf(stacks, weightOf);
}

export function inventoryOf(character: CharacterRecord, stacks: readonly InventoryStack[]) {
  const usage = inventoryUsage(stacks);
  const derived = derivedStats(character.attributes, equippedTemplateIds(stacks));
  const limits = limitsFor(derived.weightCapacityKg);
  return {
    items: stacks.map(itemOf),
    slotsUsed: usage.slotsUsed,
    slotCapacity: limits.slotCapacity,
    weight: usage.weightGrams / GramsPerKg,
    weightCapacity: derived.weightCapacityKg,
  };
}

export function itemOf(stack: InventoryStack) {
  const template = findTemplate(stack.templateId);
  return {
    itemId: stack.id,
    templateId: stack.templateId,
    name: template?.name ?? stack.templateId,
    type: template?.type ?? 'unknown',
    rarity: template?.rarity ?? 'common',
    quantity: stack.quantity,
    equipped: stack.slot !== null,
    slot: stack.slot,
    durability: stack.durability,
    stats: template?.stats ?? {},
  };
}

/** What combat needs of a character: its weapons (equipped or carried), equipped armor and implants, owned mods, skills. */
export function loadoutOf(character: CharacterRecord, stacks: readonly InventoryStack[]) {
  const equipped = stacks.filter((stack) => stack.slot !== null);
  const ofType = (type: string) => equipped.filter((stack) => findTemplate(stack.templateId)?.type === type);
  return {
    characterId: character.id,
    accountId: character.accountId,
    class: character.class,
    faction: character.faction,
    level: character.level,
    district: character.district,
    attributes: character.attributes,
    skills: character.skills,
    derived: derivedStats(character.attributes, equippedTemplateIds(stacks)),
    // Every weapon it owns, equipped (slot) or carried (slot null): combat may fire either.
    weapons: stacks
      .filter((stack) => findTemplate(stack.templateId)?.type === 'weapon')
      .map((stack) => ({
        itemId: stack.id,
        templateId: stack.templateId,
        slot: stack.slot,
        weaponClass: String(findTemplate(stack.templateId)?.stats.weaponClass ?? ''),
        durability: stack.durability,
      })),
    armor:
      ofType('armor').map((stack) => ({
        itemId: stack.id,
        templateId: stack.templateId,
        durability: stack.durability,
      }))[0] ?? null,
    implants: ofType('implant').map((stack) => ({ itemId: stack.id, templateId: stack.templateId, slot: stack.slot })),
    mods: stacks
      .filter((stack) => findTemplate(stack.templateId)?.type === 'mod')
      .map((stack) => ({ itemId: stack.id, templateId: stack.templateId })),
    ammo: stacks
      .filter((stack) => findTemplate(stack.templateId)?.type === 'ammo')
      .map((stack) => ({ itemId: stack.id, templateId: stack.templateId, quantity: stack.quantity })),
  };
}
