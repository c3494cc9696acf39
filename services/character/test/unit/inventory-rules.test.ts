import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@necp/platform';
import {
  checkDrop,
  checkUnequip,
  chooseEquipSlot,
  type InventoryStack,
  limitsFor,
  planGrant,
  useConsumable,
} from '../../src/domain/inventory.ts';
import { findTemplate, type ItemTemplate } from '../../src/domain/items.ts';
import { StartingAttributes } from '../../src/domain/rules.ts';
import { inventoryUsage } from '../../src/domain/sheet.ts';

const template = (id: string): ItemTemplate => {
  const found = findTemplate(id);
  assert.ok(found, id);
  return found;
};
const stack = (id: string, templateId: string, quantity = 1, slot: InventoryStack['slot'] = null): InventoryStack => ({
  id,
  templateId,
  quantity,
  slot,
  durability: null,
});
const codeOf = async (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'OK';
};
const limits = limitsFor(95);
const skills = { ballistics: 30, precision: 20, engineering: 5, hacking: 0 };

describe('inventory rules', () => {
  it('tops up partial stacks before opening new ones', () => {
    const stacks = [stack('a', 'medkit', 8), stack('b', 'medkit', 10), stack('c', 'medkit', 3)];
    const plan = planGrant(stacks, template('medkit'), 25, inventoryUsage(stacks), limits);
    assert.deepEqual(plan.topUps, [
      { id: 'a', add: 2 },
      { id: 'c', add: 7 },
    ]);
    assert.deepEqual(plan.newStacks, [10, 6]);
  });

  it('keeps unstackable items one per stack', () => {
    const plan = planGrant([], template('pistol_m10'), 3, { slotsUsed: 0, weightGrams: 0 }, limits);
    assert.deepEqual(plan.newStacks, [1, 1, 1]);
  });

  it('refuses what needs more than the free slots or the remaining weight, unless told not to', async () => {
    const usage = { slotsUsed: 49, weightGrams: 0 };
    assert.equal(await codeOf(() => planGrant([], template('pistol_m10'), 2, usage, limits)), 'INVENTORY_FULL');
    assert.equal(planGrant([], template('pistol_m10'), 2, usage, limits, false).newStacks.length, 2);
    const heavy = { slotsUsed: 0, weightGrams: 90_000 };
    assert.equal(await codeOf(() => planGrant([], template('kevlar_t2'), 1, heavy, limits)), 'OVERWEIGHT');
    assert.equal(await codeOf(() => planGrant([], template('medkit'), 10, heavy, limits)), 'OK');
  });

  it('equips into a fitting free slot and checks requirements', async () => {
    const base = { attributes: StartingAttributes.solo, skills, occupied: new Set<never>() };
    const pistol = stack('p', 'pistol_m10');
    assert.equal(
      chooseEquipSlot({ ...base, item: pistol, template: template('pistol_m10'), requestedSlot: undefined }),
      'weapon_1',
    );
    assert.equal(
      chooseEquipSlot({
        ...base,
        occupied: new Set(['weapon_1'] as const),
        item: pistol,
        template: template('pistol_m10'),
        requestedSlot: undefined,
      }),
      'weapon_2',
    );
    const bothTaken = new Set(['weapon_1', 'weapon_2'] as const);
    assert.equal(
      await codeOf(() =>
        chooseEquipSlot({
          ...base,
          occupied: bothTaken,
          item: pistol,
          template: template('pistol_m10'),
          requestedSlot: undefined,
        }),
      ),
      'SLOT_OCCUPIED',
    );
    assert.equal(
      await codeOf(() =>
        chooseEquipSlot({ ...base, item: pistol, template: template('pistol_m10'), requestedSlot: 'implant_eyes' }),
      ),
      'INVALID_STATE',
    );
    const sniper = stack('s', 'sniper_nekomata');
    const netrunner = { ...base, attributes: StartingAttributes.netrunner };
    assert.equal(
      await codeOf(() =>
        chooseEquipSlot({
          ...netrunner,
          item: sniper,
          template: template('sniper_nekomata'),
          requestedSlot: undefined,
        }),
      ),
      'REQUIREMENTS_NOT_MET',
    );
    const optics = stack('o', 'kiroshi_optics');
    assert.equal(
      chooseEquipSlot({ ...base, item: optics, template: template('kiroshi_optics'), requestedSlot: undefined }),
      'implant_eyes',
    );
    assert.equal(
      await codeOf(() =>
        chooseEquipSlot({
          ...base,
          item: stack('m', 'medkit'),
          template: template('medkit'),
          requestedSlot: undefined,
        }),
      ),
      'INVALID_STATE',
    );
  });

  it('unequips only into a free backpack slot', async () => {
    const worn = stack('w', 'pistol_m10', 1, 'weapon_1');
    assert.equal(await codeOf(() => checkUnequip(worn, { slotsUsed: 49, weightGrams: 0 }, limits)), 'OK');
    assert.equal(await codeOf(() => checkUnequip(worn, { slotsUsed: 50, weightGrams: 0 }, limits)), 'INVENTORY_FULL');
    assert.equal(
      await codeOf(() => checkUnequip(stack('x', 'pistol_m10'), { slotsUsed: 0, weightGrams: 0 }, limits)),
      'INVALID_STATE',
    );
  });

  it('heals with medkits up to the maximum and uses only consumables', async () => {
    assert.equal(useConsumable(template('medkit'), 100, 170), 140);
    assert.equal(useConsumable(template('medkit'), 150, 170), 170);
    assert.equal(await codeOf(() => useConsumable(template('medkit'), 170, 170)), 'INVALID_STATE');
    assert.equal(await codeOf(() => useConsumable(template('standard'), 10, 170)), 'INVALID_STATE');
  });

  it('drops no more than the stack and nothing equipped', async () => {
    assert.equal(await codeOf(() => checkDrop(stack('a', 'medkit', 3), 3)), 'OK');
    assert.equal(await codeOf(() => checkDrop(stack('a', 'medkit', 3), 4)), 'VALIDATION_ERROR');
    assert.equal(await codeOf(() => checkDrop(stack('w', 'pistol_m10', 1, 'weapon_1'), 1)), 'INVALID_STATE');
  });
});
