import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { base, createCharacter, type Harness, type Player, startHarness } from '../support/harness.ts';

let h: Harness;
let admin: Player;
before(async () => {
  h = await startHarness();
  admin = await h.player(['admin']);
});
after(() => h.close());

interface Item {
  itemId: string;
  templateId: string;
  quantity: number;
  slot: string | null;
}

async function items(player: Player, characterId: string): Promise<Item[]> {
  return (await h.request({ method: 'GET', url: `${base}/${characterId}/inventory`, as: player })).body.items;
}

const total = (list: Item[], templateId: string) =>
  list.filter((item) => item.templateId === templateId).reduce((sum, item) => sum + item.quantity, 0);

describe(`concurrent changes to one inventory (${adapterLabel})`, () => {
  it('keeps every granted unit exactly once while equips, uses and drops run beside the grants', async () => {
    const player = await h.player();
    const { characterId } = (await createCharacter(h, player, { origin: 'street_kid', class: 'solo' })).body;
    await h.request({
      method: 'POST',
      url: `${base}/${characterId}/inventory/grants`,
      as: admin,
      body: { templateId: 'smg_pulsar', quantity: 3, source: 'setup', sourceId: characterId },
    });
    const weapons = (await items(player, characterId)).filter((item) => item.templateId !== 'medkit');
    const grants = Array.from({ length: 20 }, (_, index) =>
      h.request({
        method: 'POST',
        url: `${base}/${characterId}/inventory/grants`,
        as: admin,
        body: { templateId: 'standard', quantity: 37, source: 'race', sourceId: `grant-${index}` },
      }),
    );
    // The same grant ten times at once: one applies, the others replay it.
    const duplicates = Array.from({ length: 10 }, () =>
      h.request({
        method: 'POST',
        url: `${base}/${characterId}/inventory/grants`,
        as: admin,
        body: { templateId: 'medkit', quantity: 4, source: 'race', sourceId: 'dup' },
      }),
    );
    const equips = weapons.map((weapon) =>
      h.request({
        method: 'POST',
        url: `${base}/${characterId}/inventory/${weapon.itemId}/equip`,
        as: player,
        body: {},
      }),
    );
    const responses = await Promise.all([...grants, ...duplicates, ...equips]);
    assert.ok(responses.slice(0, 20).every((response) => response.status === 201));
    const dupStatuses = responses
      .slice(20, 30)
      .map((response) => response.status)
      .sort();
    assert.deepEqual(dupStatuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const equipStatuses = responses.slice(30).map((response) => response.status);
    assert.equal(equipStatuses.filter((status) => status === 200).length, 2, 'two weapon slots');
    assert.ok(responses.slice(30).every((r) => r.status === 200 || r.body.code === 'SLOT_OCCUPIED'));

    const after = await items(player, characterId);
    assert.equal(total(after, 'standard'), 20 * 37);
    assert.equal(total(after, 'medkit'), 5 + 4);
    const ammo = after.filter((item) => item.templateId === 'standard');
    assert.deepEqual(
      ammo.map((item) => item.quantity),
      [200, 200, 200, 140],
      'ammo stacks are full before a new one starts',
    );
    const slots = after.flatMap((item) => (item.slot ? [item.slot] : [])).sort();
    assert.deepEqual(slots, ['weapon_1', 'weapon_2']);
    assert.equal(new Set(after.map((item) => item.itemId)).size, after.length);
  });

  it('gives a contested slot to exactly one of many concurrent equips', async () => {
    const player = await h.player();
    const { characterId } = (await createCharacter(h, player, { class: 'solo' })).body;
    await h.request({
      method: 'POST',
      url: `${base}/${characterId}/inventory/grants`,
      as: admin,
      body: { templateId: 'rifle_ajax', quantity: 6, source: 'setup', sourceId: characterId },
    });
    const rifles = (await items(player, characterId)).filter((item) => item.templateId === 'rifle_ajax');
    const responses = await Promise.all(
      rifles.map((rifle) =>
        h.request({
          method: 'POST',
          url: `${base}/${characterId}/inventory/${rifle.itemId}/equip`,
          as: player,
          body: { slot: 'weapon_2' },
        }),
      ),
    );
    assert.equal(responses.filter((response) => response.status === 200).length, 1);
    assert.equal(responses.filter((response) => response.body.code === 'SLOT_OCCUPIED').length, rifles.length - 1);
  });

  it('applies concurrent uses one after another: no unit is used twice, none past full health', async () => {
    const player = await h.player();
    const { characterId } = (await createCharacter(h, player, { origin: 'street_kid', class: 'solo' })).body;
    const db = await h.runtime.database();
    await sql`UPDATE mvp_core.characters SET health = 50 WHERE id = ${characterId}`.execute(db.kysely);
    const medkit = (await items(player, characterId)).find((item) => item.templateId === 'medkit');
    assert.ok(medkit);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        h.request({
          method: 'POST',
          url: `${base}/${characterId}/inventory/${medkit.itemId}/use`,
          as: player,
          body: {},
        }),
      ),
    );
    const used = responses.filter((response) => response.status === 200);
    assert.equal(used.length, 3, 'three medkits bring 50 health to the maximum of 170');
    assert.ok(responses.filter((r) => r.status !== 200).every((r) => r.body.code === 'INVALID_STATE'));
    assert.equal(total(await items(player, characterId), 'medkit'), 2);
  });
});
