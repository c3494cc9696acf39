/**
 * character-service moves a character's loadout version (the shared cache's `loadoutVersionKey`)
 * after every change it commits to what combat reads: creation, inventory (drop, equip, unequip,
 * grants), skills, district, deletion. A refused change moves nothing. Services that keep a copy of
 * the loadout (gameplay's simulate) keep it under the version, so a move is what retires the copy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadoutVersionKey } from '@necp/platform';
import { adapterLabel } from '@necp/platform/testing';
import { base, createCharacter, type Harness, type Player, startHarness } from '../support/harness.ts';

let h: Harness;
let admin: Player;
before(async () => {
  h = await startHarness();
  admin = await h.player(['admin']);
});
after(() => h.close());

const version = (characterId: string) => h.runtime.cache.get(loadoutVersionKey(characterId));

describe(`loadout version (${adapterLabel})`, () => {
  it('moves after each committed change, and not after a refused one', async () => {
    const player = await h.player();
    const created = await createCharacter(h, player, { class: 'solo' });
    assert.equal(created.status, 201);
    const characterId = created.body.characterId as string;
    const seen = [await version(characterId)];
    assert.notEqual(seen[0], null, 'a new character has a version');
    const moved = async (what: string) => {
      const now = await version(characterId);
      assert.ok(!seen.includes(now), `${what} moved the version`);
      seen.push(now);
    };

    const inventory = await h.request({ method: 'GET', url: `${base}/${characterId}/inventory`, as: player });
    const items = inventory.body.items as { itemId: string; templateId: string }[];
    const weapon = items.find((item) => item.templateId !== 'medkit');
    assert.ok(weapon, 'the starting kit has a weapon');
    for (const action of ['equip', 'unequip']) {
      const answer = await h.request({
        method: 'POST',
        url: `${base}/${characterId}/inventory/${weapon.itemId}/${action}`,
        as: player,
        body: {},
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      await moved(action);
    }

    const stranger = await h.player();
    const refused = await h.request({
      method: 'POST',
      url: `${base}/${characterId}/inventory/${weapon.itemId}/drop`,
      as: stranger,
      body: {},
    });
    assert.equal(refused.status, 403);
    assert.equal(await version(characterId), seen.at(-1), "another account's drop moved nothing");

    const drop = await h.request({
      method: 'POST',
      url: `${base}/${characterId}/inventory/${weapon.itemId}/drop`,
      as: player,
      body: {},
    });
    assert.equal(drop.status, 200, JSON.stringify(drop.body));
    await moved('drop');

    const skills = await h.request({
      method: 'PUT',
      url: `${base}/${characterId}/skills`,
      as: admin,
      body: { skills: { precision: 40 } },
    });
    assert.equal(skills.status, 200, JSON.stringify(skills.body));
    await moved('skills');

    const gone = await h.request({ method: 'DELETE', url: `${base}/${characterId}`, as: player });
    assert.equal(gone.status, 204, JSON.stringify(gone.body));
    await moved('delete');
  });
});
