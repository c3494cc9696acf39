import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { base, createCharacter, type Harness, startHarness, uniqueName } from '../support/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

async function outboxKinds(characterId: string): Promise<string[]> {
  const db = await h.runtime.database();
  const rows = await db.kysely
    .selectFrom('mvp_meta.outbox')
    .select(['payload', 'seq'])
    .where('aggregateid', '=', characterId)
    .where('type', '=', 'characters.lifecycle')
    .orderBy('seq')
    .execute();
  return rows.map((row) => {
    const envelope = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as {
      payload: { kind: string };
    };
    return envelope.payload.kind;
  });
}

describe(`characters (${adapterLabel})`, () => {
  it('serves the reference data publicly', async () => {
    const response = await h.request({ method: 'GET', url: `${base}/reference` });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.origins, ['street_kid', 'corpo', 'nomad']);
    assert.deepEqual(response.body.classes, ['solo', 'netrunner', 'techie']);
    assert.equal(response.body.factions.length, 5);
    const ids = response.body.itemTemplates.map((template: { id: string }) => template.id);
    for (const id of [
      'pistol_m10',
      'smart_pistol_kenshin',
      'shotgun_carnage',
      'sniper_nekomata',
      'medkit',
      'kiroshi_optics',
    ]) {
      assert.ok(ids.includes(id), id);
    }
    assert.ok(!ids.includes('metal'), 'materials are not items');
  });

  it('creates a character with its class attributes, skills and origin kit, and emits created', async () => {
    const player = await h.player();
    const response = await createCharacter(h, player, { origin: 'corpo', class: 'netrunner', faction: 'arasaka' });
    assert.equal(response.status, 201);
    const sheet = response.body;
    assert.deepEqual(sheet.attributes, { body: 3, reflexes: 5, technical: 5, intelligence: 8, cool: 5, empathy: 4 });
    assert.deepEqual(sheet.skills, { ballistics: 0, precision: 10, engineering: 10, hacking: 35 });
    assert.equal(sheet.derived.maxHealth, 130);
    assert.equal(sheet.derived.armor, 6);
    assert.equal(sheet.derived.weightCapacityKg, 95);
    assert.equal(sheet.health, 130);
    assert.equal(sheet.district, 'westbrook');
    assert.equal(sheet.accountId, player.accountId);
    assert.equal(response.headers.etag, sheet.etag);
    const inventory = await h.request({ method: 'GET', url: `${base}/${sheet.characterId}/inventory`, as: player });
    const kit = inventory.body.items.map((item: { templateId: string; quantity: number }) => [
      item.templateId,
      item.quantity,
    ]);
    assert.deepEqual(kit, [
      ['smart_pistol_kenshin', 1],
      ['medkit', 2],
    ]);
    assert.deepEqual(await outboxKinds(sheet.characterId), ['created']);
  });

  it('gives each origin its kit and each class its attributes', async () => {
    const player = await h.player();
    const nomad = await createCharacter(h, player, { origin: 'nomad', class: 'techie' });
    assert.deepEqual(nomad.body.attributes, {
      body: 4,
      reflexes: 4,
      technical: 8,
      intelligence: 6,
      cool: 4,
      empathy: 4,
    });
    assert.deepEqual(nomad.body.skills, { ballistics: 15, precision: 10, engineering: 35, hacking: 0 });
    const street = await createCharacter(h, player, { origin: 'street_kid', class: 'solo' });
    assert.deepEqual(street.body.attributes, {
      body: 7,
      reflexes: 7,
      technical: 4,
      intelligence: 3,
      cool: 6,
      empathy: 3,
    });
    assert.deepEqual(street.body.skills, { ballistics: 30, precision: 20, engineering: 5, hacking: 0 });
    const kits = await Promise.all(
      [nomad, street].map((character) =>
        h.request({ method: 'GET', url: `${base}/${character.body.characterId}/inventory`, as: player }),
      ),
    );
    const summaries = kits.map((inventory) =>
      inventory.body.items.map(
        (item: { templateId: string; quantity: number }) => `${item.templateId}x${item.quantity}`,
      ),
    );
    assert.deepEqual(summaries, [
      ['shotgun_carnagex1', 'medkitx3'],
      ['pistol_m10x1', 'medkitx5'],
    ]);
  });

  it('enforces the naming rules and case-insensitive uniqueness among live characters', async () => {
    const player = await h.player();
    for (const name of ['ab', 'a'.repeat(21), 'bad_name', ' Lead', 'Trail ', 'two  spaces', 'x--y', '<script>']) {
      const response = await createCharacter(h, player, { name });
      assert.equal(response.status, 400, name);
      assert.equal(response.body.code, 'VALIDATION_ERROR');
    }
    const name = uniqueName('Jackie');
    assert.equal((await createCharacter(h, player, { name })).status, 201);
    const other = await h.player();
    const clash = await createCharacter(h, other, { name: name.toUpperCase() });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.code, 'NAME_TAKEN');
    assert.equal((await createCharacter(h, other, { name: 'Élodie-7 Ré' })).status, 201);
  });

  it('allows 3 characters per account; a delete frees the slot', async () => {
    const player = await h.player();
    const created = [];
    for (let index = 0; index < 3; index += 1) created.push(await createCharacter(h, player));
    assert.ok(created.every((response) => response.status === 201));
    const fourth = await createCharacter(h, player);
    assert.equal(fourth.status, 409);
    assert.equal(fourth.body.code, 'CHARACTER_LIMIT');
    const first = created[0]?.body.characterId;
    assert.equal((await h.request({ method: 'DELETE', url: `${base}/${first}`, as: player })).status, 204);
    assert.equal((await createCharacter(h, player)).status, 201);
    // Restoring now would make four live characters.
    const restore = await h.request({ method: 'POST', url: `${base}/${first}/restore`, as: player });
    assert.equal(restore.status, 409);
    assert.equal(restore.body.code, 'CHARACTER_LIMIT');
  });

  it('keeps the slot limit under concurrent creates', async () => {
    const player = await h.player();
    const responses = await Promise.all(Array.from({ length: 6 }, () => createCharacter(h, player)));
    assert.equal(responses.filter((response) => response.status === 201).length, 3);
    assert.ok(responses.filter((r) => r.status !== 201).every((r) => r.body.code === 'CHARACTER_LIMIT'));
  });

  it('lists own characters with cursor pagination, and the deleted ones on request', async () => {
    const player = await h.player();
    const ids = [];
    for (let index = 0; index < 3; index += 1) ids.push((await createCharacter(h, player)).body.characterId);
    await createCharacter(h, await h.player());
    const first = await h.request({ method: 'GET', url: `${base}?limit=2`, as: player });
    assert.equal(first.status, 200);
    assert.equal(first.body.items.length, 2);
    assert.ok(first.body.nextCursor);
    const second = await h.request({
      method: 'GET',
      url: `${base}?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      as: player,
    });
    assert.equal(second.body.items.length, 1);
    assert.equal(second.body.nextCursor, null);
    assert.deepEqual(
      [...first.body.items, ...second.body.items].map((item: { characterId: string }) => item.characterId),
      ids,
    );
    await h.request({ method: 'DELETE', url: `${base}/${ids[1]}`, as: player });
    const live = await h.request({ method: 'GET', url: base, as: player });
    assert.equal(live.body.items.length, 2);
    const deleted = await h.request({ method: 'GET', url: `${base}?deleted=true`, as: player });
    assert.deepEqual(
      deleted.body.items.map((item: { characterId: string }) => item.characterId),
      [ids[1]],
    );
    assert.ok(deleted.body.items[0].restorableUntil);
  });

  it('serves the sheet with an ETag, 304 on If-None-Match, and 412 on a stale If-Match', async () => {
    const player = await h.player();
    const { characterId } = (await createCharacter(h, player)).body;
    const sheet = await h.request({ method: 'GET', url: `${base}/${characterId}`, as: player });
    assert.equal(sheet.status, 200);
    const etag = String(sheet.headers.etag);
    const notModified = await h.request({
      method: 'GET',
      url: `${base}/${characterId}`,
      as: player,
      headers: { 'if-none-match': etag },
    });
    assert.equal(notModified.status, 304);
    // A 304 has no body: a length on it makes keep-alive clients wait for bytes that never come.
    assert.equal(notModified.headers['content-length'], undefined);
    const patched = await h.request({
      method: 'PATCH',
      url: `${base}/${characterId}`,
      as: player,
      headers: { 'if-match': etag },
      body: { district: 'heywood', appearance: { hairColor: 'neon pink' } },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.district, 'heywood');
    assert.equal(patched.body.appearance.hairColor, 'neon pink');
    assert.notEqual(patched.headers.etag, etag);
    const stale = await h.request({
      method: 'PATCH',
      url: `${base}/${characterId}`,
      as: player,
      headers: { 'if-match': etag },
      body: { district: 'watson' },
    });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.code, 'PRECONDITION_FAILED');
    const withoutTag = await h.request({
      method: 'PATCH',
      url: `${base}/${characterId}`,
      as: player,
      body: { appearance: { eyeColor: 'gold' } },
    });
    assert.equal(withoutTag.status, 200);
    assert.deepEqual(withoutTag.body.appearance, { hairColor: 'neon pink', eyeColor: 'gold' });
    assert.deepEqual(await outboxKinds(characterId), ['created', 'updated', 'updated']);
  });

  it('soft-deletes and restores within the window; 410 after it', async () => {
    const player = await h.player();
    const { characterId } = (await createCharacter(h, player)).body;
    assert.equal((await h.request({ method: 'DELETE', url: `${base}/${characterId}`, as: player })).status, 204);
    assert.equal((await h.request({ method: 'GET', url: `${base}/${characterId}`, as: player })).status, 404);
    const again = await h.request({ method: 'DELETE', url: `${base}/${characterId}`, as: player });
    assert.equal(again.status, 404);
    const restored = await h.request({ method: 'POST', url: `${base}/${characterId}/restore`, as: player });
    assert.equal(restored.status, 200);
    assert.equal(restored.body.deletedAt, null);
    const notDeleted = await h.request({ method: 'POST', url: `${base}/${characterId}/restore`, as: player });
    assert.equal(notDeleted.status, 409);
    assert.equal(notDeleted.body.code, 'INVALID_STATE');

    await h.request({ method: 'DELETE', url: `${base}/${characterId}`, as: player });
    const db = await h.runtime.database();
    await sql`UPDATE mvp_core.characters SET deleted_at = now() - interval '31 days' WHERE id = ${characterId}`.execute(
      db.kysely,
    );
    const expired = await h.request({ method: 'POST', url: `${base}/${characterId}/restore`, as: player });
    assert.equal(expired.status, 410);
    assert.equal(expired.body.code, 'RESTORE_EXPIRED');
    assert.deepEqual(await outboxKinds(characterId), ['created', 'deleted', 'restored', 'deleted']);
  });

  it('refuses a restore when the name was taken meanwhile', async () => {
    const player = await h.player();
    const name = uniqueName('Rogue');
    const { characterId } = (await createCharacter(h, player, { name })).body;
    await h.request({ method: 'DELETE', url: `${base}/${characterId}`, as: player });
    assert.equal((await createCharacter(h, await h.player(), { name })).status, 201);
    const restore = await h.request({ method: 'POST', url: `${base}/${characterId}/restore`, as: player });
    assert.equal(restore.status, 409);
    assert.equal(restore.body.code, 'NAME_TAKEN');
  });

  it('replays a create with the same Idempotency-Key and refuses the key with another body', async () => {
    const player = await h.player();
    const body = { name: uniqueName('Idem'), origin: 'nomad', class: 'solo' };
    const headers = { 'idempotency-key': 'create-1' };
    const first = await h.request({ method: 'POST', url: base, as: player, body, headers });
    const second = await h.request({ method: 'POST', url: base, as: player, body, headers });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.body.characterId, first.body.characterId);
    const list = await h.request({ method: 'GET', url: base, as: player });
    assert.equal(list.body.items.length, 1);
    const reused = await h.request({
      method: 'POST',
      url: base,
      as: player,
      body: { ...body, class: 'techie' },
      headers,
    });
    assert.equal(reused.status, 422);
    assert.equal(reused.body.code, 'IDEMPOTENCY_KEY_REUSED');
  });
});
