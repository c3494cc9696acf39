import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { base, createCharacter, type Harness, type Player, startHarness } from '../support/harness.ts';

let h: Harness;
let service: Player;
before(async () => {
  h = await startHarness();
  service = await h.player(['service']);
});
after(() => h.close());

async function newCharacter(characterClass: string) {
  const player = await h.player();
  const created = await createCharacter(h, player, { class: characterClass });
  assert.equal(created.status, 201);
  return { player, characterId: created.body.characterId as string };
}

const skillsUrl = (characterId: string) => `/internal/v1/characters/${characterId}/skills`;

describe(`internal skills endpoint (${adapterLabel})`, () => {
  it("serves a live character's stored skills to services", async () => {
    const techie = await newCharacter('techie');
    const answer = await h.request({ method: 'GET', url: skillsUrl(techie.characterId), as: service });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, {
      characterId: techie.characterId,
      skills: { ballistics: 15, precision: 10, engineering: 35, hacking: 0 },
    });

    // What the row holds now, not what the class started with.
    const db = await h.runtime.database();
    await sql`UPDATE mvp_core.characters SET skills = jsonb_set(skills, '{engineering}', '47')
      WHERE id = ${techie.characterId}`.execute(db.kysely);
    const changed = await h.request({ method: 'GET', url: skillsUrl(techie.characterId), as: service });
    assert.equal(changed.body.skills.engineering, 47);

    const solo = await newCharacter('solo');
    const other = await h.request({ method: 'GET', url: skillsUrl(solo.characterId), as: service });
    assert.deepEqual(other.body.skills, { ballistics: 30, precision: 20, engineering: 5, hacking: 0 });
  });

  it('refuses players, even the owner (403), and callers without a token (401)', async () => {
    const { player, characterId } = await newCharacter('netrunner');
    const owner = await h.request({ method: 'GET', url: skillsUrl(characterId), as: player });
    assert.equal(owner.status, 403);
    assert.equal(owner.body.code, 'FORBIDDEN');
    assert.match(String(owner.headers['content-type']), /application\/problem\+json/);
    const admin = await h.request({ method: 'GET', url: skillsUrl(characterId), as: await h.player(['admin']) });
    assert.equal(admin.status, 403);
    const anonymous = await h.request({ method: 'GET', url: skillsUrl(characterId) });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.code, 'UNAUTHENTICATED');
  });

  it('answers 404 for an unknown or deleted character', async () => {
    const unknown = await h.request({
      method: 'GET',
      url: skillsUrl('0b6c4a47-6d2e-4f57-9a43-6f1f0c1a2b3c'),
      as: service,
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'NOT_FOUND');

    const { player, characterId } = await newCharacter('solo');
    assert.equal((await h.request({ method: 'GET', url: skillsUrl(characterId), as: service })).status, 200);
    assert.equal((await h.request({ method: 'DELETE', url: `${base}/${characterId}`, as: player })).status, 204);
    const deleted = await h.request({ method: 'GET', url: skillsUrl(characterId), as: service });
    assert.equal(deleted.status, 404);
    assert.equal(deleted.body.code, 'NOT_FOUND');
  });
});
