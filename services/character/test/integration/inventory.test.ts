import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { base, createCharacter, type Harness, type Player, startHarness } from '../support/harness.ts';

let h: Harness;
let admin: Player;
before(async () => {
  h = await startHarness();
  admin = await h.player(['player', 'admin']);
});
after(() => h.close());

interface Item {
  itemId: string;
  templateId: string;
  quantity: number;
  slot: string | null;
  equipped: boolean;
}

async function newCharacter(body: Record<string, unknown> = {}) {
  const player = await h.player();
  const created = await createCharacter(h, player, body);
  assert.equal(created.status, 201);
  return { player, characterId: created.body.characterId as string };
}

function grant(characterId: string, body: Record<string, unknown>, as: Player = admin) {
  return h.request({ method: 'POST', url: `${base}/${characterId}/inventory/grants`, as, body });
}

async function inventory(player: Player, characterId: string) {
  const response = await h.request({ method: 'GET', url: `${base}/${characterId}/inventory`, as: player });
  assert.equal(response.status, 200);
  return response.body as {
    items: Item[];
    slotsUsed: number;
    slotCapacity: number;
    weight: number;
    weightCapacity: number;
  };
}

function action(
  player: Player,
  characterId: string,
  item: string,
  verb: string,
  body?: unknown,
  headers?: Record<string, string>,
) {
  return h.request({
    method: 'POST',
    url: `${base}/${characterId}/inventory/${item}/${verb}`,
    as: player,
    ...(body === undefined ? {} : { body }),
    ...(headers ? { headers } : {}),
  });
}

const itemOf = (items: Item[], templateId: string) => {
  const found = items.find((item) => item.templateId === templateId);
  assert.ok(found, `no ${templateId}`);
  return found;
};

describe(`inventory (${adapterLabel})`, () => {
  it('reports slots and weight against capacity', async () => {
    const { player, characterId } = await newCharacter({ origin: 'street_kid', class: 'solo' });
    const bag = await inventory(player, characterId);
    assert.equal(bag.slotCapacity, 50);
    assert.equal(bag.slotsUsed, 2);
    assert.equal(bag.weight, 1.5 + 5 * 0.5);
    assert.equal(bag.weightCapacity, 50 + 15 * 7);
  });

  it('merges grants into stacks up to the stack size', async () => {
    const { player, characterId } = await newCharacter({ origin: 'street_kid' });
    const granted = await grant(characterId, {
      templateId: 'medkit',
      quantity: 12,
      source: 'test',
      sourceId: 'merge-1',
    });
    assert.equal(granted.status, 201);
    const medkits = (await inventory(player, characterId)).items.filter((item) => item.templateId === 'medkit');
    assert.deepEqual(
      medkits.map((item) => item.quantity),
      [10, 7],
    );
  });

  it('is idempotent on (source, sourceId): same body replays, another body conflicts', async () => {
    const { player, characterId } = await newCharacter();
    const body = { templateId: 'standard', quantity: 30, source: 'quest', sourceId: 'q-42' };
    const first = await grant(characterId, body);
    const second = await grant(characterId, body);
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.deepEqual(second.body, first.body);
    const sameIdUpperCase = await grant(characterId.toUpperCase(), body);
    assert.equal(sameIdUpperCase.status, 200, 'a UUID names the same character in either case');
    assert.equal(itemOf((await inventory(player, characterId)).items, 'standard').quantity, 30);
    const other = await grant(characterId, { ...body, quantity: 31 });
    assert.equal(other.status, 409);
    assert.equal(other.body.code, 'CONFLICT');
  });

  it('lets admins and services grant, not players', async () => {
    const { player, characterId } = await newCharacter();
    const body = { templateId: 'kiroshi_optics', quantity: 1, source: 'test', sourceId: 'role-1' };
    const refused = await grant(characterId, body, player);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'FORBIDDEN');
    const service = await h.player(['service']);
    assert.equal((await grant(characterId, body, service)).status, 201);
    const unknown = await grant(characterId, { ...body, templateId: 'metal', sourceId: 'role-2' });
    assert.equal(unknown.status, 400);
    const missing = await grant('7d4f4c59-1111-4b34-9a7a-0d3c2e5b9f00', { ...body, sourceId: 'role-3' });
    assert.equal(missing.status, 404);
  });

  it('refuses a grant beyond 50 slots (INVENTORY_FULL) or the weight capacity (OVERWEIGHT)', async () => {
    const { player, characterId } = await newCharacter({ origin: 'street_kid' });
    const fill = await grant(characterId, {
      templateId: 'kiroshi_optics',
      quantity: 48,
      source: 't',
      sourceId: 'fill',
    });
    assert.equal(fill.status, 201);
    assert.equal((await inventory(player, characterId)).slotsUsed, 50);
    const full = await grant(characterId, { templateId: 'kiroshi_optics', quantity: 1, source: 't', sourceId: 'over' });
    assert.equal(full.status, 409);
    assert.equal(full.body.code, 'INVENTORY_FULL');
    // Topping up an existing stack needs no new slot.
    const topUp = await grant(characterId, { templateId: 'medkit', quantity: 5, source: 't', sourceId: 'top' });
    assert.equal(topUp.status, 201);

    const netrunner = await newCharacter({ origin: 'corpo', class: 'netrunner' });
    const heavy = await grant(netrunner.characterId, {
      templateId: 'sniper_nekomata',
      quantity: 16,
      source: 't',
      sourceId: 'heavy',
    });
    assert.equal(heavy.status, 422);
    assert.equal(heavy.body.code, 'OVERWEIGHT');
    assert.equal((await inventory(netrunner.player, netrunner.characterId)).items.length, 2, 'nothing was added');
  });

  it('equips into the slots of DOMAIN.md, one item per slot, requirements checked', async () => {
    const { player, characterId } = await newCharacter({ origin: 'street_kid', class: 'solo' });
    await grant(characterId, { templateId: 'smg_pulsar', quantity: 2, source: 't', sourceId: 'smg' });
    await grant(characterId, { templateId: 'kevlar_t3', quantity: 1, source: 't', sourceId: 'vest' });
    const before = await h.request({ method: 'GET', url: `${base}/${characterId}`, as: player });
    const items = (await inventory(player, characterId)).items;
    const [pistol, smgA, smgB] = ['pistol_m10', 'smg_pulsar', 'smg_pulsar'].map((id, index) =>
      index === 2 ? items.filter((item) => item.templateId === id)[1] : itemOf(items, id),
    );
    assert.ok(pistol && smgA && smgB);
    const first = await action(player, characterId, pistol.itemId, 'equip');
    assert.equal(first.status, 200);
    assert.equal(itemOf(first.body.items, 'pistol_m10').slot, 'weapon_1');
    assert.equal(first.body.slotsUsed, 4, 'equipped items leave the backpack');
    const second = await action(player, characterId, smgA.itemId, 'equip', {});
    assert.equal(second.status, 200);
    const third = await action(player, characterId, smgB.itemId, 'equip');
    assert.equal(third.status, 409);
    assert.equal(third.body.code, 'SLOT_OCCUPIED');
    const named = await action(player, characterId, smgB.itemId, 'equip', { slot: 'weapon_1' });
    assert.equal(named.body.code, 'SLOT_OCCUPIED');
    const wrongSlot = await action(player, characterId, smgB.itemId, 'equip', { slot: 'armor' });
    assert.equal(wrongSlot.status, 409);
    assert.equal(wrongSlot.body.code, 'INVALID_STATE');
    const medkit = itemOf(items, 'medkit');
    assert.equal((await action(player, characterId, medkit.itemId, 'equip')).body.code, 'INVALID_STATE');

    const vest = itemOf(items, 'kevlar_t3');
    assert.equal((await action(player, characterId, vest.itemId, 'equip')).status, 200);
    const after = await h.request({ method: 'GET', url: `${base}/${characterId}`, as: player });
    assert.equal(after.body.derived.armor, before.body.derived.armor + 30);
    assert.notEqual(after.headers.etag, before.headers.etag, 'equipment changes the sheet, so its ETag');

    const unequipped = await action(player, characterId, pistol.itemId, 'unequip');
    assert.equal(unequipped.status, 200);
    assert.equal(itemOf(unequipped.body.items, 'pistol_m10').slot, null);
    assert.equal((await action(player, characterId, pistol.itemId, 'unequip')).body.code, 'INVALID_STATE');
    assert.equal((await action(player, characterId, smgB.itemId, 'equip')).status, 200, 'weapon_1 is free again');
  });

  it('refuses gear whose requirements the character does not meet', async () => {
    const { player, characterId } = await newCharacter({ origin: 'corpo', class: 'netrunner' });
    await grant(characterId, { templateId: 'kevlar_t3', quantity: 1, source: 't', sourceId: 'req' });
    const vest = itemOf((await inventory(player, characterId)).items, 'kevlar_t3');
    const refused = await action(player, characterId, vest.itemId, 'equip');
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'REQUIREMENTS_NOT_MET');
  });

  it('uses consumables: heals up to maxHealth, one unit per use', async () => {
    const { player, characterId } = await newCharacter({ origin: 'street_kid', class: 'solo' });
    const medkit = itemOf((await inventory(player, characterId)).items, 'medkit');
    const full = await action(player, characterId, medkit.itemId, 'use');
    assert.equal(full.status, 409, 'no medkit is wasted at full health');
    const db = await h.runtime.database();
    await sql`UPDATE mvp_core.characters SET health = 100 WHERE id = ${characterId}`.execute(db.kysely);
    const used = await action(player, characterId, medkit.itemId, 'use', {}, { 'idempotency-key': 'heal-1' });
    assert.equal(used.status, 200);
    assert.deepEqual(used.body, {
      itemId: medkit.itemId,
      templateId: 'medkit',
      quantityLeft: 4,
      health: 140,
      maxHealth: 170,
    });
    const replay = await action(player, characterId, medkit.itemId, 'use', {}, { 'idempotency-key': 'heal-1' });
    assert.deepEqual(replay.body, used.body);
    const again = await action(player, characterId, medkit.itemId, 'use');
    assert.equal(again.body.health, 170);
    assert.equal(again.body.quantityLeft, 3);
    const pistol = itemOf((await inventory(player, characterId)).items, 'pistol_m10');
    assert.equal((await action(player, characterId, pistol.itemId, 'use')).body.code, 'INVALID_STATE');
  });

  it('drops part of a stack or all of it, never equipped items', async () => {
    const { player, characterId } = await newCharacter({ origin: 'street_kid' });
    const items = (await inventory(player, characterId)).items;
    const medkit = itemOf(items, 'medkit');
    const partial = await action(player, characterId, medkit.itemId, 'drop', { quantity: 2 });
    assert.equal(partial.status, 200);
    assert.equal(itemOf(partial.body.items, 'medkit').quantity, 3);
    const tooMany = await action(player, characterId, medkit.itemId, 'drop', { quantity: 4 });
    assert.equal(tooMany.status, 400);
    const all = await action(player, characterId, medkit.itemId, 'drop');
    assert.equal(
      all.body.items.some((item: Item) => item.templateId === 'medkit'),
      false,
    );
    const gone = await action(player, characterId, medkit.itemId, 'drop');
    assert.equal(gone.status, 404);
    const pistol = itemOf(items, 'pistol_m10');
    await action(player, characterId, pistol.itemId, 'equip');
    assert.equal((await action(player, characterId, pistol.itemId, 'drop')).body.code, 'INVALID_STATE');
  });

  it('serves owner and combat loadout (weapons equipped or carried) to services only; a deleted character is 404', async () => {
    const { player, characterId } = await newCharacter({ origin: 'corpo', class: 'solo' });
    await grant(characterId, { templateId: 'kiroshi_optics', quantity: 1, source: 't', sourceId: 'eyes' });
    await grant(characterId, { templateId: 'scope_smart_mk1', quantity: 1, source: 't', sourceId: 'scope' });
    await grant(characterId, { templateId: 'rifle_ajax', quantity: 1, source: 't', sourceId: 'rifle' });
    const items = (await inventory(player, characterId)).items;
    await action(player, characterId, itemOf(items, 'smart_pistol_kenshin').itemId, 'equip');
    await action(player, characterId, itemOf(items, 'kiroshi_optics').itemId, 'equip');
    const service = await h.player(['service']);
    const url = `/internal/v1/characters/${characterId}`;
    const loadout = await h.request({ method: 'GET', url, as: service });
    assert.equal(loadout.status, 200);
    assert.equal(loadout.body.accountId, player.accountId);
    assert.deepEqual(
      loadout.body.weapons.map((weapon: { weaponClass: string; slot: string }) => [weapon.weaponClass, weapon.slot]),
      [
        ['smart_pistol', 'weapon_1'],
        ['assault', null],
      ],
      'the equipped pistol and the carried rifle',
    );
    assert.deepEqual(
      loadout.body.implants.map((implant: { templateId: string }) => implant.templateId),
      ['kiroshi_optics'],
    );
    assert.deepEqual(
      loadout.body.mods.map((mod: { templateId: string }) => mod.templateId),
      ['scope_smart_mk1'],
    );
    assert.equal(loadout.body.skills.ballistics, 30);
    assert.equal((await h.request({ method: 'GET', url, as: player })).status, 403);
    assert.equal((await h.request({ method: 'GET', url })).status, 401);
    await h.request({ method: 'DELETE', url: `${base}/${characterId}`, as: player });
    assert.equal((await h.request({ method: 'GET', url, as: service })).status, 404);
  });
});
