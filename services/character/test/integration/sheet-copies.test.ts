/**
 * The sheet read keeps the character's row in memory under its loadout version (shared cache) and
 * answers from it while the version stays; every write moves the version before it answers, so a
 * read after a write shows the write, on this replica and on another one that kept the old sheet.
 * Without a version nothing is kept; a kept sheet is still refused to another account.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Districts } from '@necp/contracts';
import { loadoutVersionKey } from '@necp/platform';
import { adapterLabel, type ServiceReplica, startReplica } from '@necp/platform/testing';
import { characterService } from '../../src/service.ts';
import { base, createCharacter, type Harness, type Player, startHarness } from '../support/harness.ts';

let h: Harness;
let admin: Player;
/** A second replica of character-service: its own memory, the same database and shared cache. */
let replica: ServiceReplica;

before(async () => {
  h = await startHarness();
  admin = await h.player(['admin']);
  replica = await startReplica(characterService, h.underTest);
});
after(async () => {
  await replica.stop();
  await h.close();
});

/** The sheet through the first replica (in-process) or the second (over HTTP). */
async function sheetVia(where: 'first' | 'second', player: Player, characterId: string) {
  if (where === 'first') return h.request({ method: 'GET', url: `${base}/${characterId}`, as: player });
  const response = await fetch(`${replica.base}${base}/${characterId}`, {
    headers: { authorization: player.authorization },
  });
  return { status: response.status, headers: {}, body: (await response.json()) as Record<string, unknown> };
}

/** A district other than `current`: a change the assertions can see. */
const otherDistrict = (current: unknown) => Districts.find((district) => district !== current) as string;

async function newCharacter(player: Player): Promise<string> {
  const created = await createCharacter(h, player, { class: 'solo' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.characterId as string;
}

/** Changes the row behind the service's back (no version move), as a write in flight would have. */
async function rewriteDistrictQuietly(characterId: string, district: string): Promise<void> {
  await h.underTest.db.kysely
    .updateTable('mvp_core.characters' as never)
    .set({ district } as never)
    .where('id' as never, '=', characterId as never)
    .execute();
}

describe(`sheet copies (${adapterLabel})`, () => {
  it('answers from the kept sheet while the version stays, and reads again once it moves', async () => {
    const player = await h.player();
    const characterId = await newCharacter(player);
    const first = await sheetVia('first', player, characterId);
    assert.equal(first.status, 200);
    const district = otherDistrict(first.body.district);
    await rewriteDistrictQuietly(characterId, district);
    const kept = await sheetVia('first', player, characterId);
    assert.equal(kept.body.district, first.body.district, 'the version did not move: the kept sheet answers');
    await h.runtime.cache.set(loadoutVersionKey(characterId), 'moved');
    const fresh = await sheetVia('first', player, characterId);
    assert.equal(fresh.body.district, district, 'the version moved: the row was read again');
  });

  it('shows every write at once, on the replica that wrote and on one that kept the old sheet', async () => {
    const player = await h.player();
    const characterId = await newCharacter(player);
    const sheets = await Promise.all([sheetVia('first', player, characterId), sheetVia('second', player, characterId)]);
    for (const sheet of sheets) assert.equal(sheet.status, 200);
    const district = otherDistrict(sheets[0].body.district);

    const patched = await h.request({
      method: 'PATCH',
      url: `${base}/${characterId}`,
      as: player,
      body: { district },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    for (const where of ['first', 'second'] as const) {
      const sheet = await sheetVia(where, player, characterId);
      assert.equal(sheet.body.district, district, `${where} replica after the patch`);
      assert.equal(sheet.body.etag, patched.body.etag, `${where} replica's ETag after the patch`);
    }

    const skills = await h.request({
      method: 'PUT',
      url: `${base}/${characterId}/skills`,
      as: admin,
      body: { skills: { hacking: 77 } },
    });
    assert.equal(skills.status, 200, JSON.stringify(skills.body));
    for (const where of ['first', 'second'] as const) {
      assert.equal((await sheetVia(where, player, characterId)).body.skills.hacking, 77, `${where}: skills`);
    }

    const inventory = await h.request({ method: 'GET', url: `${base}/${characterId}/inventory`, as: player });
    const weapon = (inventory.body.items as { itemId: string; templateId: string; slot: string | null }[]).find(
      (item) => item.templateId !== 'medkit' && item.slot === null,
    );
    assert.ok(weapon, 'the starting kit has an unequipped item');
    const before = (await sheetVia('second', player, characterId)).body.etag;
    const equipped = await h.request({
      method: 'POST',
      url: `${base}/${characterId}/inventory/${weapon.itemId}/equip`,
      as: player,
      body: {},
    });
    assert.equal(equipped.status, 200, JSON.stringify(equipped.body));
    for (const where of ['first', 'second'] as const) {
      const sheet = await sheetVia(where, player, characterId);
      assert.notEqual(sheet.body.etag, before, `${where}: the equip is a new version of the sheet`);
    }

    const deleted = await h.request({ method: 'DELETE', url: `${base}/${characterId}`, as: player });
    assert.equal(deleted.status, 204);
    for (const where of ['first', 'second'] as const) {
      assert.equal((await sheetVia(where, player, characterId)).status, 404, `${where}: deleted`);
    }
  });

  it('keeps nothing for a character whose version is gone', async () => {
    const player = await h.player();
    const characterId = await newCharacter(player);
    await h.runtime.cache.delete(loadoutVersionKey(characterId));
    const first = await sheetVia('first', player, characterId);
    assert.equal(first.status, 200);
    const district = otherDistrict(first.body.district);
    await rewriteDistrictQuietly(characterId, district);
    assert.equal((await sheetVia('first', player, characterId)).body.district, district);
  });

  it("refuses another account's character from a kept sheet (403)", async () => {
    const player = await h.player();
    const characterId = await newCharacter(player);
    assert.equal((await sheetVia('first', player, characterId)).status, 200);
    const stranger = await h.player();
    const refused = await sheetVia('first', stranger, characterId);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'CHARACTER_NOT_OWNED');
  });
});
