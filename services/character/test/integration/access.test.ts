import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import {
  base,
  createCharacter,
  type Harness,
  type Player,
  type RequestOptions,
  startHarness,
} from '../support/harness.ts';

let h: Harness;
let owner: Player;
let stranger: Player;
let characterId: string;
let deletedId: string;
let itemId: string;

before(async () => {
  h = await startHarness();
  owner = await h.player();
  stranger = await h.player();
  characterId = (await createCharacter(h, owner)).body.characterId;
  deletedId = (await createCharacter(h, owner)).body.characterId;
  await h.request({ method: 'DELETE', url: `${base}/${deletedId}`, as: owner });
  const bag = await h.request({ method: 'GET', url: `${base}/${characterId}/inventory`, as: owner });
  itemId = bag.body.items[0].itemId;
});
after(() => h.close());

type Route = Omit<RequestOptions, 'as'> & { name: string };

/** Every route that acts on one character, with a body that is valid for it. */
function characterRoutes(): Route[] {
  const item = `${base}/${characterId}/inventory/${itemId}`;
  return [
    { name: 'sheet', method: 'GET', url: `${base}/${characterId}` },
    { name: 'patch', method: 'PATCH', url: `${base}/${characterId}`, body: { district: 'watson' } },
    { name: 'delete', method: 'DELETE', url: `${base}/${characterId}` },
    { name: 'restore', method: 'POST', url: `${base}/${deletedId}/restore` },
    { name: 'inventory', method: 'GET', url: `${base}/${characterId}/inventory` },
    { name: 'equip', method: 'POST', url: `${item}/equip`, body: {} },
    { name: 'unequip', method: 'POST', url: `${item}/unequip`, body: {} },
    { name: 'use', method: 'POST', url: `${item}/use`, body: {} },
    { name: 'drop', method: 'POST', url: `${item}/drop`, body: { quantity: 1 } },
  ];
}

describe(`access to characters (${adapterLabel})`, () => {
  it('gives another account 403 CHARACTER_NOT_OWNED on every character route, changing nothing', async () => {
    const sheetBefore = await h.request({ method: 'GET', url: `${base}/${characterId}`, as: owner });
    for (const route of characterRoutes()) {
      const response = await h.request({ ...route, as: stranger });
      assert.equal(response.status, 403, route.name);
      assert.equal(response.body.code, 'CHARACTER_NOT_OWNED', route.name);
    }
    const sheetAfter = await h.request({ method: 'GET', url: `${base}/${characterId}`, as: owner });
    assert.deepEqual(sheetAfter.body, sheetBefore.body);
    const list = await h.request({ method: 'GET', url: base, as: stranger });
    assert.deepEqual(list.body.items, []);
  });

  it('answers 404 for a character that does not exist on every character route', async () => {
    const missing = '0b6c4a47-6d2e-4f57-9a43-6f1f0c1a2b3c';
    for (const route of characterRoutes()) {
      const url = route.url.replace(characterId, missing).replace(deletedId, missing);
      const response = await h.request({ ...route, url, as: owner });
      assert.equal(response.status, 404, route.name);
      assert.equal(response.body.code, 'NOT_FOUND', route.name);
    }
  });

  it('answers 401 without a valid token on every character route', async () => {
    for (const route of [...characterRoutes(), { name: 'list', method: 'GET' as const, url: base }]) {
      const response = await h.request(route);
      assert.equal(response.status, 401, route.name);
      assert.equal(response.body.code, 'UNAUTHENTICATED', route.name);
      const forged = await h.request({ ...route, headers: { authorization: 'Bearer not.a.token' } });
      assert.equal(forged.status, 401, route.name);
    }
  });
});
