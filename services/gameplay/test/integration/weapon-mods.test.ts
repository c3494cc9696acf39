/**
 * GET and PATCH weapon mods: the character's own mod items, one item on one weapon, merge and
 * overwrite, a rule-breaking change refused whole with 422 MOD_CONFLICT, and a dropped mod item
 * that stops counting.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { type Fighter, type Gameplay, Paths, shot, startGameplay } from '../support/harness.ts';

let gameplay: Gameplay;
before(async () => {
  gameplay = await startGameplay();
});
after(() => gameplay.close());

const patch = (me: Fighter, weapon: number, body: unknown) =>
  gameplay.call('PATCH', Paths.mods(me.weapons[weapon] as string, me.characterId), me.token, body);
const read = (me: Fighter, weapon = 0) =>
  gameplay.call('GET', Paths.mods(me.weapons[weapon] as string, me.characterId), me.token);
const installed = (body: { slots: { slot: string; modId: string | null }[] }) =>
  Object.fromEntries(body.slots.filter((slot) => slot.modId !== null).map((slot) => [slot.slot, slot.modId]));

describe(`weapon mods (${adapterLabel})`, () => {
  it('merges and overwrites, and answers the resulting stats', async () => {
    const me = await gameplay.fighter({
      weapons: ['smart_rifle_sor22'],
      mods: ['barrel_heavy_mk1', 'chip_targeting', 'scope_smart_mk1', 'stock_stabilizer'],
    });
    const empty = await read(me);
    assert.equal(empty.status, 200, JSON.stringify(empty.body));
    assert.deepEqual(installed(empty.body), {});
    assert.equal(empty.body.stats.damageMultiplier, 1);

    const merged = await patch(me, 0, {
      strategy: 'merge',
      slots: [
        { slot: 'barrel', modId: 'barrel_heavy_mk1' },
        { slot: 'chip', modId: 'chip_targeting' },
      ],
    });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.deepEqual(installed(merged.body), { barrel: 'barrel_heavy_mk1', chip: 'chip_targeting' });
    assert.equal(merged.body.stats.damageMultiplier, 1.1);
    assert.equal(merged.body.stats.hitChanceBonus, 0.05);
    assert.equal(
      merged.body.slots.find((slot: { slot: string }) => slot.slot === 'barrel').itemId,
      me.mods.barrel_heavy_mk1,
    );

    const more = await patch(me, 0, { strategy: 'merge', slots: [{ slot: 'scope', modId: 'scope_smart_mk1' }] });
    assert.deepEqual(installed(more.body), {
      barrel: 'barrel_heavy_mk1',
      scope: 'scope_smart_mk1',
      chip: 'chip_targeting',
    });
    assert.equal(more.body.stats.smartAssist, true);

    const removed = await patch(me, 0, { strategy: 'merge', slots: [{ slot: 'barrel', modId: null }] });
    assert.deepEqual(installed(removed.body), { scope: 'scope_smart_mk1', chip: 'chip_targeting' });

    const overwritten = await patch(me, 0, {
      strategy: 'overwrite',
      slots: [{ slot: 'stock', modId: 'stock_stabilizer' }],
    });
    assert.deepEqual(installed(overwritten.body), { stock: 'stock_stabilizer' });
    assert.deepEqual(installed((await read(me)).body), { stock: 'stock_stabilizer' });

    // The model counts them: the stock's +0.03.
    const fired = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { distanceMeters: 30 }));
    assert.equal(fired.body.hitBreakdown.modsBonus, 0.03);
  });

  it('refuses a rule-breaking change whole with 422 MOD_CONFLICT naming the slots and suggestions', async () => {
    const me = await gameplay.fighter({
      weapons: ['shotgun_carnage', 'pistol_m10'],
      mods: ['barrel_heavy_mk1', 'scope_thermal', 'scope_smart_mk1', 'scope_smart_mk2'],
    });
    const first = await patch(me, 0, { strategy: 'merge', slots: [{ slot: 'barrel', modId: 'barrel_heavy_mk1' }] });
    assert.equal(first.status, 200);

    const scopeOnShotgun = await patch(me, 0, {
      strategy: 'overwrite',
      slots: [{ slot: 'scope', modId: 'scope_thermal' }],
    });
    assert.equal(scopeOnShotgun.status, 422, JSON.stringify(scopeOnShotgun.body));
    assert.equal(scopeOnShotgun.body.code, 'MOD_CONFLICT');
    assert.deepEqual(scopeOnShotgun.body.conflictingSlots, ['scope']);
    assert.equal(scopeOnShotgun.body.conflicts[0].rule, 'SCOPE_NOT_ALLOWED');
    assert.deepEqual(scopeOnShotgun.body.conflicts[0].suggestions, [{ slot: 'scope', modId: null }]);
    assert.deepEqual(installed((await read(me)).body), { barrel: 'barrel_heavy_mk1' }, 'nothing changed');

    // A smart scope on a pistol, an MK2 without engineering 40, a mod in the wrong slot: all named at once.
    const several = await patch(me, 1, {
      strategy: 'merge',
      slots: [
        { slot: 'scope', modId: 'scope_smart_mk2' },
        { slot: 'chip', modId: 'barrel_heavy_mk1' },
      ],
    });
    assert.equal(several.status, 422);
    assert.deepEqual(several.body.conflictingSlots, ['scope', 'chip']);
    const rules = several.body.conflicts.map((conflict: { rule: string }) => conflict.rule).sort();
    assert.deepEqual(rules, ['SKILL_TOO_LOW', 'SMART_SCOPE_CLASS', 'WRONG_SLOT']);
    assert.deepEqual(installed((await read(me, 1)).body), {});

    const twice = await patch(me, 1, {
      strategy: 'merge',
      slots: [
        { slot: 'barrel', modId: 'barrel_heavy_mk1' },
        { slot: 'barrel', modId: null },
      ],
    });
    assert.equal(twice.status, 422);
    assert.equal(twice.body.conflicts[0].rule, 'DUPLICATE_SLOT');
  });

  it('installs only mod items the character owns, each on one weapon at a time', async () => {
    const me = await gameplay.fighter({ weapons: ['pistol_m10', 'rifle_ajax'], mods: ['barrel_heavy_mk1'] });
    const notOwned = await patch(me, 0, { strategy: 'merge', slots: [{ slot: 'chip', modId: 'chip_targeting' }] });
    assert.equal(notOwned.status, 422);
    assert.equal(notOwned.body.conflicts[0].rule, 'NOT_OWNED');
    assert.deepEqual(notOwned.body.conflictingSlots, ['chip']);

    const someoneElses = await gameplay.fighter({ mods: ['barrel_heavy_mk1'] });
    const foreignItem = await patch(me, 0, {
      strategy: 'merge',
      slots: [{ slot: 'barrel', modId: 'barrel_heavy_mk1', itemId: someoneElses.mods.barrel_heavy_mk1 }],
    });
    assert.equal(foreignItem.status, 422);
    assert.equal(foreignItem.body.conflicts[0].rule, 'NOT_OWNED');
    // It suggests the character's own free item instead.
    assert.deepEqual(foreignItem.body.conflicts[0].suggestions[0], {
      slot: 'barrel',
      modId: 'barrel_heavy_mk1',
      itemId: me.mods.barrel_heavy_mk1,
    });

    const onPistol = await patch(me, 0, { strategy: 'merge', slots: [{ slot: 'barrel', modId: 'barrel_heavy_mk1' }] });
    assert.equal(onPistol.status, 200);
    const onRifle = await patch(me, 1, { strategy: 'merge', slots: [{ slot: 'barrel', modId: 'barrel_heavy_mk1' }] });
    assert.equal(onRifle.status, 422);
    assert.equal(onRifle.body.conflicts[0].rule, 'NOT_OWNED');
    const named = await patch(me, 1, {
      strategy: 'merge',
      slots: [{ slot: 'barrel', modId: 'barrel_heavy_mk1', itemId: me.mods.barrel_heavy_mk1 }],
    });
    assert.equal(named.status, 422);
    assert.equal(named.body.conflicts[0].rule, 'INSTALLED_ELSEWHERE');

    // Moving it: off the pistol, then onto the rifle.
    assert.equal((await patch(me, 0, { strategy: 'overwrite', slots: [] })).status, 200);
    assert.equal(
      (await patch(me, 1, { strategy: 'merge', slots: [{ slot: 'barrel', modId: 'barrel_heavy_mk1' }] })).status,
      200,
    );
  });

  it('puts one mod item on one weapon when two weapons ask for it at once', async () => {
    const me = await gameplay.fighter({
      weapons: ['pistol_m10', 'rifle_ajax', 'smg_pulsar', 'sniper_nekomata'],
      mods: ['chip_targeting'],
    });
    const answers = await Promise.all(
      [0, 1, 2, 3].map((weapon) =>
        patch(me, weapon, {
          strategy: 'merge',
          slots: [{ slot: 'chip', modId: 'chip_targeting', itemId: me.mods.chip_targeting }],
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [200, 422, 422, 422], JSON.stringify(answers.map((answer) => answer.body)));
    for (const answer of answers.filter((each) => each.status === 422)) assert.equal(answer.body.code, 'MOD_CONFLICT');
    const holders = [];
    for (const weapon of [0, 1, 2, 3]) if (installed((await read(me, weapon)).body).chip) holders.push(weapon);
    assert.equal(holders.length, 1);
  });

  it('stops counting a mod item the character dropped', async () => {
    const me = await gameplay.fighter({ weapons: ['rifle_ajax'], mods: ['chip_targeting', 'barrel_heavy_mk1'] });
    await patch(me, 0, {
      strategy: 'merge',
      slots: [
        { slot: 'chip', modId: 'chip_targeting' },
        { slot: 'barrel', modId: 'barrel_heavy_mk1' },
      ],
    });
    const before = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { distanceMeters: 30 }));
    assert.equal(before.body.hitBreakdown.modsBonus, 0.05);
    assert.equal(before.body.damageBreakdown.modsMultiplier, 1.1);

    me.drop('chip_targeting');
    const after = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { distanceMeters: 30 }));
    assert.equal(after.body.hitBreakdown.modsBonus, 0);
    assert.equal(after.body.damageBreakdown.modsMultiplier, 1.1, 'the barrel it still owns counts');
    assert.deepEqual(installed((await read(me)).body), { barrel: 'barrel_heavy_mk1' });
    // A merge that keeps the slot cannot bring it back.
    const merged = await patch(me, 0, { strategy: 'merge', slots: [] });
    assert.deepEqual(installed(merged.body), { barrel: 'barrel_heavy_mk1' });
  });

  it('frees the mods of a weapon the character dropped for its other weapons', async () => {
    const me = await gameplay.fighter({ weapons: ['pistol_m10', 'rifle_ajax'], mods: ['barrel_heavy_mk1'] });
    const barrel = { strategy: 'merge', slots: [{ slot: 'barrel', modId: 'barrel_heavy_mk1' }] };
    assert.equal((await patch(me, 0, barrel)).status, 200);
    assert.equal((await patch(me, 1, barrel)).status, 422, 'still on the pistol');
    me.loadout.weapons = me.loadout.weapons.filter((weapon) => weapon.itemId !== me.weapons[0]);
    const moved = await patch(me, 1, barrel);
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual(installed(moved.body), { barrel: 'barrel_heavy_mk1' });
  });

  it("answers 403 for another account's character and 404 for a weapon the character does not own", async () => {
    const me = await gameplay.fighter();
    const other = await gameplay.fighter();
    const foreign = await gameplay.call('GET', Paths.mods(other.weapons[0] as string, other.characterId), me.token);
    assert.equal(foreign.status, 403);
    const notMine = await gameplay.call('GET', Paths.mods(other.weapons[0] as string, me.characterId), me.token);
    assert.equal(notMine.status, 404);
    const patched = await gameplay.call('PATCH', Paths.mods(randomUUID(), me.characterId), me.token, {
      strategy: 'merge',
      slots: [],
    });
    assert.equal(patched.status, 404);
  });
});
