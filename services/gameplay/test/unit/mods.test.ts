import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyModPatch, modStats, modsFor, modsValid, validateMods } from '../../src/domain/mods.ts';
import { suggestMods } from '../../src/domain/suggestions.ts';
import { weaponProfile } from '../../src/domain/weapon-profile.ts';
import { loadout, near, shot } from './fixtures.ts';

describe('mod validation', () => {
  it('accepts an empty weapon and a fitting set', () => {
    assert.deepEqual(validateMods('pistol', {}, {}), { conflicts: [], conflictingSlots: [] });
    const full = {
      barrel: 'barrel_heavy_mk1',
      scope: 'scope_smart_mk2',
      stock: 'stock_stabilizer',
      chip: 'neuro_gyro_coupler',
      magazine: 'mag_extended',
    };
    assert.deepEqual(validateMods('smart_rifle', full, { engineering: 40 }).conflicts, []);
    assert.equal(modsValid('smart_rifle', full, { engineering: 40 }), true);
  });
  it('no scope on a shotgun, smart or not; the suggestion is an empty slot', () => {
    for (const scope of ['scope_thermal', 'scope_smart_mk1']) {
      const result = validateMods('shotgun', { scope }, {});
      assert.deepEqual(
        result.conflicts.map((c) => [c.slot, c.rule, c.suggestions]),
        [['scope', 'SCOPE_NOT_ALLOWED', [{ slot: 'scope', modId: null }]]],
      );
      assert.equal(modsValid('shotgun', { scope }, {}), false);
    }
  });
  it('smart scopes only on smart_* and energy; a thermal scope is suggested', () => {
    const result = validateMods('assault', { scope: 'scope_smart_mk1' }, {});
    assert.deepEqual(result.conflictingSlots, ['scope']);
    assert.equal(result.conflicts[0]?.rule, 'SMART_SCOPE_CLASS');
    assert.deepEqual(result.conflicts[0]?.suggestions, [
      { slot: 'scope', modId: 'scope_thermal' },
      { slot: 'scope', modId: null },
    ]);
    for (const weaponClass of ['smart_pistol', 'smart_rifle', 'energy'] as const) {
      assert.deepEqual(validateMods(weaponClass, { scope: 'scope_smart_mk1' }, {}).conflicts, []);
    }
  });
  it('MK2 needs engineering 40: 39 fails naming the level, 40 passes', () => {
    const result = validateMods('smart_rifle', { scope: 'scope_smart_mk2' }, { engineering: 39 });
    assert.deepEqual(result.conflicts[0]?.requires, { skill: 'engineering', level: 40, actual: 39 });
    assert.deepEqual(
      result.conflicts[0]?.suggestions.map((s) => s.modId),
      ['scope_smart_mk1', 'scope_thermal', null],
    );
    assert.deepEqual(validateMods('smart_rifle', { scope: 'scope_smart_mk2' }, { engineering: 40 }).conflicts, []);
  });
  it('reports every rule a mod breaks', () => {
    const result = validateMods('assault', { scope: 'scope_smart_mk2' }, { engineering: 10 });
    assert.deepEqual(
      result.conflicts.map((c) => c.rule),
      ['SMART_SCOPE_CLASS', 'SKILL_TOO_LOW'],
    );
    assert.deepEqual(result.conflictingSlots, ['scope']);
  });
  it('a mod in another slot’s place, and an unknown mod', () => {
    const result = validateMods('pistol', { barrel: 'chip_targeting', stock: 'stock_folding' }, {});
    assert.deepEqual(result.conflicts, [
      {
        slot: 'barrel',
        modId: 'chip_targeting',
        rule: 'WRONG_SLOT',
        message: 'chip_targeting goes in the chip slot',
        suggestions: [
          { slot: 'chip', modId: 'chip_targeting' },
          { slot: 'barrel', modId: null },
        ],
      },
      {
        slot: 'stock',
        modId: 'stock_folding',
        rule: 'UNKNOWN_MOD',
        message: 'stock_folding is not a weapon mod',
        suggestions: [
          { slot: 'stock', modId: 'stock_stabilizer' },
          { slot: 'stock', modId: null },
        ],
      },
    ]);
    assert.deepEqual(result.conflictingSlots, ['barrel', 'stock']);
  });
});

describe('mod PATCH', () => {
  const current = { barrel: 'barrel_heavy_mk1', chip: 'chip_targeting' };
  it('merge keeps unnamed slots; overwrite empties them; null empties a slot', () => {
    const patch = [{ slot: 'chip' as const, modId: 'neuro_gyro_coupler' }];
    assert.deepEqual(applyModPatch('smart_pistol', current, { strategy: 'merge', slots: patch }, {}).mods, {
      barrel: 'barrel_heavy_mk1',
      chip: 'neuro_gyro_coupler',
    });
    assert.deepEqual(applyModPatch('smart_pistol', current, { strategy: 'overwrite', slots: patch }, {}).mods, {
      chip: 'neuro_gyro_coupler',
    });
    const emptied = applyModPatch(
      'pistol',
      current,
      { strategy: 'merge', slots: [{ slot: 'barrel', modId: null }] },
      {},
    );
    assert.deepEqual(emptied.mods, { barrel: null, chip: 'chip_targeting' });
    assert.deepEqual(emptied.conflicts, []);
  });
  it('one mod per slot: chip_targeting and neuro_gyro_coupler both in chip is a conflict', () => {
    const result = applyModPatch(
      'smart_pistol',
      {},
      {
        strategy: 'merge',
        slots: [
          { slot: 'chip', modId: 'chip_targeting' },
          { slot: 'chip', modId: 'neuro_gyro_coupler' },
        ],
      },
      {},
    );
    assert.equal(result.conflicts[0]?.rule, 'DUPLICATE_SLOT');
    assert.deepEqual(result.conflicts[0]?.suggestions, [
      { slot: 'chip', modId: 'chip_targeting' },
      { slot: 'chip', modId: 'neuro_gyro_coupler' },
    ]);
    assert.deepEqual(result.conflictingSlots, ['chip']);
  });
  it('names only the breaking slots of a patch (the flow refuses it whole)', () => {
    const result = applyModPatch(
      'shotgun',
      {},
      {
        strategy: 'merge',
        slots: [
          { slot: 'barrel', modId: 'barrel_heavy_mk1' },
          { slot: 'scope', modId: 'scope_smart_mk2' },
        ],
      },
      { engineering: 50 },
    );
    assert.deepEqual(result.conflictingSlots, ['scope']);
  });
  it('returns the resulting stats', () => {
    const stats = modStats({
      barrel: 'barrel_heavy_mk1',
      scope: 'scope_smart_mk2',
      stock: 'stock_stabilizer',
      chip: 'chip_targeting',
    });
    near(stats.damageMultiplier, 1.1);
    near(stats.hitChanceBonus, 0.08); // 0.03 + 0.05
    near(stats.ricochetHitBonus, 0.1);
    assert.equal(stats.smartAssist, true);
  });
});

describe('weapon profiles', () => {
  it('a shotgun takes no scope; a pistol no smart scope; a smart rifle all (MK2 still needs the skill)', () => {
    assert.ok(!weaponProfile('shotgun').supportedMods.some((m) => m.startsWith('scope_')));
    assert.deepEqual(modsFor('pistol', 'scope', null), ['scope_thermal']);
    assert.deepEqual(modsFor('smart_rifle', 'scope', null), ['scope_smart_mk1', 'scope_smart_mk2', 'scope_thermal']);
    assert.deepEqual(modsFor('smart_rifle', 'scope', { engineering: 0 }), ['scope_smart_mk1', 'scope_thermal']);
  });
  it('carries the class numbers and ricochet limit', () => {
    const sniper = weaponProfile('sniper');
    assert.deepEqual(
      [sniper.baseDamage, sniper.optimalMin, sniper.optimalMax, sniper.falloffRate, sniper.falloffInterval],
      [140, 50, 200, 0.05, 10],
    );
    assert.equal(sniper.ricochetLimit, 1);
    assert.equal(sniper.curvedShotSupport, false);
    assert.equal(weaponProfile('smart_pistol').ricochetLimit, 2);
    assert.equal(weaponProfile('energy').curvedShotSupport, true);
    assert.equal(weaponProfile('shotgun').pellets, 8);
  });
});

describe('suggested mods', () => {
  it('an empty pistol: the best fitting mod for each slot that has one', () => {
    assert.deepEqual(suggestMods(loadout(), shot()), [
      { slot: 'barrel', modId: 'barrel_heavy_mk1', reason: 'empty_slot' },
      { slot: 'stock', modId: 'stock_stabilizer', reason: 'empty_slot' },
      { slot: 'chip', modId: 'chip_targeting', reason: 'empty_slot' },
    ]);
  });
  it('a Curved Shot asks for the coupler first; the scope falls back to MK1 without engineering 40', () => {
    const flags = { curvedShot: true, smartAssist: false };
    assert.deepEqual(suggestMods(loadout({ weaponClass: 'smart_pistol' }), shot({ flags })), [
      { slot: 'chip', modId: 'neuro_gyro_coupler', reason: 'curved_shot' },
      { slot: 'barrel', modId: 'barrel_heavy_mk1', reason: 'empty_slot' },
      { slot: 'scope', modId: 'scope_smart_mk1', reason: 'empty_slot' },
      { slot: 'stock', modId: 'stock_stabilizer', reason: 'empty_slot' },
    ]);
  });
  it('ricochet rounds behind a thermal scope: a smart scope, MK2 with engineering 40', () => {
    const full = {
      barrel: 'barrel_heavy_mk1',
      scope: 'scope_thermal',
      stock: 'stock_stabilizer',
      chip: 'chip_targeting',
    };
    const rifle = loadout({ weaponClass: 'smart_rifle', mods: full, skills: { engineering: 40 } });
    assert.deepEqual(suggestMods(rifle, shot({ ammoType: 'ricochet_rounds' })), [
      { slot: 'scope', modId: 'scope_smart_mk2', reason: 'smart_ricochet' },
    ]);
  });
  it('nothing a class cannot take, nothing for a full weapon', () => {
    const flags = { curvedShot: true, smartAssist: true };
    const full = { barrel: 'barrel_suppressed_mk1', stock: 'stock_stabilizer', chip: 'chip_targeting' };
    assert.deepEqual(suggestMods(loadout({ weaponClass: 'shotgun', mods: full }), shot({ flags })), []);
  });
});
