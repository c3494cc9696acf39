/**
 * PUT /api/v1/characters/{characterId}/skills: live ops (admin or service) set a character's skills,
 * 0–100 each; the skills not named keep their level; the change is a characters.lifecycle `updated`
 * and shows in the loadout other services read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { base, createCharacter, type Harness, type Player, startHarness } from '../support/harness.ts';

let h: Harness;
let admin: Player;
let service: Player;
before(async () => {
  h = await startHarness();
  admin = await h.player(['admin']);
  service = await h.player(['service']);
});
after(() => h.close());

async function newSolo() {
  const player = await h.player();
  const created = await createCharacter(h, player, { class: 'solo' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { player, characterId: created.body.characterId as string, etag: String(created.headers.etag ?? '') };
}

const skillsUrl = (characterId: string) => `${base}/${characterId}/skills`;

async function updatedEvents(characterId: string): Promise<number> {
  const db = await h.runtime.database();
  const rows = await db.kysely
    .selectFrom('mvp_meta.outbox')
    .select('payload')
    .where('aggregateid', '=', characterId)
    .where('type', '=', 'characters.lifecycle')
    .execute();
  return rows.filter((row) => {
    const envelope = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as {
      payload: { kind: string };
    };
    return envelope.payload.kind === 'updated';
  }).length;
}

describe(`setting a character's skills (${adapterLabel})`, () => {
  it('sets the named skills, keeps the others, bumps the ETag and emits updated', async () => {
    const { player, characterId } = await newSolo();
    const before = await h.request({ method: 'GET', url: `${base}/${characterId}`, as: player });
    const set = await h.request({
      method: 'PUT',
      url: skillsUrl(characterId),
      as: admin,
      body: { skills: { precision: 40, engineering: 100 } },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual(set.body.skills, { ballistics: 30, precision: 40, engineering: 100, hacking: 0 });
    assert.notEqual(set.headers.etag, before.headers.etag);
    assert.equal(await updatedEvents(characterId), 1);

    const loadout = await h.request({ method: 'GET', url: `/internal/v1/characters/${characterId}`, as: service });
    assert.equal(loadout.body.skills.precision, 40);

    const byService = await h.request({
      method: 'PUT',
      url: skillsUrl(characterId),
      as: service,
      body: { skills: { hacking: 0, ballistics: 0 } },
    });
    assert.equal(byService.status, 200);
    assert.deepEqual(byService.body.skills, { ballistics: 0, precision: 40, engineering: 100, hacking: 0 });
    assert.equal(await updatedEvents(characterId), 2);
  });

  it('refuses players, even the owner (403), and out-of-range or unknown skills (400), changing nothing', async () => {
    const { player, characterId } = await newSolo();
    const owner = await h.request({
      method: 'PUT',
      url: skillsUrl(characterId),
      as: player,
      body: { skills: { precision: 99 } },
    });
    assert.equal(owner.status, 403);
    for (const skills of [{ precision: 101 }, { precision: -1 }, { precision: 4.5 }, { luck: 5 }, {}]) {
      const bad = await h.request({ method: 'PUT', url: skillsUrl(characterId), as: admin, body: { skills } });
      assert.equal(bad.status, 400, JSON.stringify(skills));
      assert.equal(bad.body.code, 'VALIDATION_ERROR');
    }
    const extra = await h.request({
      method: 'PUT',
      url: skillsUrl(characterId),
      as: admin,
      body: { skills: { precision: 50 }, level: 9 },
    });
    assert.equal(extra.status, 400);
    const sheet = await h.request({ method: 'GET', url: `${base}/${characterId}`, as: player });
    assert.equal(sheet.body.skills.precision, 20);
    assert.equal(await updatedEvents(characterId), 0);
  });

  it('answers 404 for an unknown or deleted character', async () => {
    const unknown = await h.request({
      method: 'PUT',
      url: skillsUrl('0b6c4a47-6d2e-4f57-9a43-6f1f0c1a2b3c'),
      as: admin,
      body: { skills: { precision: 40 } },
    });
    assert.equal(unknown.status, 404);
    const { player, characterId } = await newSolo();
    assert.equal((await h.request({ method: 'DELETE', url: `${base}/${characterId}`, as: player })).status, 204);
    const deleted = await h.request({
      method: 'PUT',
      url: skillsUrl(characterId),
      as: admin,
      body: { skills: { precision: 40 } },
    });
    assert.equal(deleted.status, 404);
  });
});
