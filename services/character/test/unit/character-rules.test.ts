import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@necp/platform';
import {
  checkRestore,
  derivedStats,
  etagOf,
  ifMatchHolds,
  nameKey,
  restorableUntil,
  startingStats,
  validateName,
} from '../../src/domain/character.ts';
import { ItemTemplates } from '../../src/domain/items.ts';
import { CharacterRules, StartingKit } from '../../src/domain/rules.ts';

const codeOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'OK';
};

describe('character rules', () => {
  it('accepts names of 3-20 letters, digits, single spaces and hyphens', () => {
    for (const name of ['Vee', 'Johnny Silverhand 2', 'Jean-Luc', 'Ōkami', '12345678901234567890']) {
      assert.equal(validateName(name), name.normalize('NFC'));
    }
    for (const name of ['Vi', '123456789012345678901', 'V_V', ' Vee', 'Vee ', 'V  ee', 'V--ee', '-Vee', 'Vee!', '']) {
      assert.equal(
        codeOf(() => validateName(name)),
        'VALIDATION_ERROR',
        name,
      );
    }
  });

  it('compares names without case or width', () => {
    assert.equal(nameKey('Jackie Welles'), nameKey('JACKIE WELLES'));
    assert.equal(nameKey('Ｖｅｅ'), nameKey('vee'));
  });

  it('derives health, armor and carry weight from body and equipment', () => {
    const solo = startingStats('street_kid', 'solo');
    assert.deepEqual(derivedStats(solo.attributes, []), {
      maxHealth: 170,
      armor: 14,
      weightCapacityKg: 155,
      backpackSlots: 50,
    });
    assert.equal(derivedStats(solo.attributes, ['kevlar_t2']).armor, 34);
    assert.equal(solo.health, 170);
    assert.equal(startingStats('nomad', 'techie').district, 'heywood');
  });

  it('restores within the window only, and only into a free slot', () => {
    const deletedAt = new Date('2026-01-01T00:00:00Z');
    assert.equal(restorableUntil(deletedAt).toISOString(), '2026-01-31T00:00:00.000Z');
    const within = new Date('2026-01-30T23:59:59Z');
    const after = new Date('2026-01-31T00:00:01Z');
    assert.equal(
      codeOf(() => checkRestore({ deletedAt, liveCount: 2, now: within })),
      'OK',
    );
    assert.equal(
      codeOf(() => checkRestore({ deletedAt, liveCount: 3, now: within })),
      'CHARACTER_LIMIT',
    );
    assert.equal(
      codeOf(() => checkRestore({ deletedAt, liveCount: 0, now: after })),
      'RESTORE_EXPIRED',
    );
    assert.equal(
      codeOf(() => checkRestore({ deletedAt: null, liveCount: 0, now: within })),
      'INVALID_STATE',
    );
    assert.equal(CharacterRules.slotsPerAccount, 3);
  });

  it('matches If-Match against the current version only', () => {
    const current = etagOf('c', 3);
    assert.ok(ifMatchHolds(current, current));
    assert.ok(ifMatchHolds(`"x", ${current}`, current));
    assert.ok(ifMatchHolds('*', current));
    assert.ok(!ifMatchHolds(etagOf('c', 2), current));
  });

  it('names only known item templates in the starting kits', () => {
    const ids = new Set(ItemTemplates.map((template) => template.id));
    for (const kit of Object.values(StartingKit)) for (const entry of kit) assert.ok(ids.has(entry.templateId));
    assert.equal(ids.size, ItemTemplates.length, 'template ids are unique');
  });
});
