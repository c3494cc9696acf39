import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allConflicts, type ModItemsInput, placeModItems } from '../../src/domain/mod-items.ts';

const owned = [
  { itemId: 'chip-a', templateId: 'chip_targeting' },
  { itemId: 'chip-b', templateId: 'chip_targeting' },
  { itemId: 'barrel-a', templateId: 'barrel_heavy_mk1' },
];

const input = (overrides: Partial<ModItemsInput>): ModItemsInput => ({
  mods: {},
  requestedItems: {},
  current: [],
  owned,
  heldElsewhere: new Map(),
  ...overrides,
});

describe('placing owned mod items', () => {
  it('keeps the item already in the slot, else takes a free owned one', () => {
    const kept = placeModItems(
      input({
        mods: { chip: 'chip_targeting', barrel: 'barrel_heavy_mk1' },
        current: [{ slot: 'chip', modItemId: 'chip-b', modId: 'chip_targeting' }],
      }),
    );
    assert.deepEqual(kept.conflicts, []);
    assert.deepEqual(kept.placed, [
      { slot: 'barrel', modItemId: 'barrel-a', modId: 'barrel_heavy_mk1' },
      { slot: 'chip', modItemId: 'chip-b', modId: 'chip_targeting' },
    ]);
    const free = placeModItems(
      input({ mods: { chip: 'chip_targeting' }, heldElsewhere: new Map([['chip-a', 'other-weapon']]) }),
    );
    assert.deepEqual(free.placed, [{ slot: 'chip', modItemId: 'chip-b', modId: 'chip_targeting' }]);
  });

  it('names a mod the character owns no free item of, with the free ones it could take', () => {
    const none = placeModItems(input({ mods: { stock: 'stock_stabilizer' } }));
    assert.equal(none.conflicts[0]?.rule, 'NOT_OWNED');
    assert.deepEqual(none.conflicts[0]?.suggestions, [{ slot: 'stock', modId: null }]);
    const allHeld = placeModItems(
      input({
        mods: { chip: 'chip_targeting' },
        heldElsewhere: new Map([
          ['chip-a', 'w1'],
          ['chip-b', 'w2'],
        ]),
      }),
    );
    assert.equal(allHeld.conflicts[0]?.rule, 'NOT_OWNED');
  });

  it('refuses a named item that is another template, not owned, or on another weapon', () => {
    const wrongTemplate = placeModItems(
      input({ mods: { chip: 'chip_targeting' }, requestedItems: { chip: 'barrel-a' } }),
    );
    assert.equal(wrongTemplate.conflicts[0]?.rule, 'NOT_OWNED');
    assert.deepEqual(wrongTemplate.conflicts[0]?.suggestions, [
      { slot: 'chip', modId: 'chip_targeting', itemId: 'chip-a' },
      { slot: 'chip', modId: 'chip_targeting', itemId: 'chip-b' },
      { slot: 'chip', modId: null },
    ]);
    const held = placeModItems(
      input({
        mods: { chip: 'chip_targeting' },
        requestedItems: { chip: 'chip-a' },
        heldElsewhere: new Map([['chip-a', 'w1']]),
      }),
    );
    assert.equal(held.conflicts[0]?.rule, 'INSTALLED_ELSEWHERE');
    assert.deepEqual(held.placed, []);
  });

  it('lists rule and item conflicts together with their slots in slot order', () => {
    const items = placeModItems(input({ mods: { magazine: 'mag_extended' } })).conflicts;
    const merged = allConflicts(
      [{ slot: 'barrel', modId: 'x', rule: 'UNKNOWN_MOD', message: 'm', suggestions: [] }],
      items,
    );
    assert.deepEqual(merged.conflictingSlots, ['barrel', 'magazine']);
    assert.equal(merged.conflicts.length, 2);
  });
});
