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
let player: Player;
let admin: Player;
let service: Player;
let characterId: string;
let itemId: string;

before(async () => {
  h = await startHarness();
  player = await h.player();
  admin = await h.player(['admin']);
  service = await h.player(['service']);
  characterId = (await createCharacter(h, player)).body.characterId;
  itemId = (await h.request({ method: 'GET', url: `${base}/${characterId}/inventory`, as: player })).body.items[0]
    .itemId;
});
after(() => h.close());

interface Case extends Omit<RequestOptions, 'as'> {
  name: string;
  as?: Player;
}

function cases(): Case[] {
  const character = `${base}/${characterId}`;
  const item = `${character}/inventory/${itemId}`;
  const grant = { templateId: 'medkit', quantity: 1, source: 'test', sourceId: 'v-1' };
  const create = { name: 'Valid Name', origin: 'nomad', class: 'solo' };
  return [
    { name: 'create: unknown field', method: 'POST', url: base, body: { ...create, level: 99 } },
    { name: 'create: unknown origin', method: 'POST', url: base, body: { ...create, origin: 'martian' } },
    { name: 'create: unknown class', method: 'POST', url: base, body: { ...create, class: 'wizard' } },
    { name: 'create: unknown faction', method: 'POST', url: base, body: { ...create, faction: 'tyger_claws' } },
    { name: 'create: bad name', method: 'POST', url: base, body: { ...create, name: 'x' } },
    { name: 'create: name too long', method: 'POST', url: base, body: { ...create, name: 'n'.repeat(500) } },
    { name: 'create: missing class', method: 'POST', url: base, body: { name: 'Valid Name', origin: 'nomad' } },
    { name: 'create: appearance field', method: 'POST', url: base, body: { ...create, appearance: { wings: 'yes' } } },
    { name: 'create: not json object', method: 'POST', url: base, body: ['a'] },
    {
      name: 'create: long idempotency key',
      method: 'POST',
      url: base,
      body: create,
      headers: { 'idempotency-key': 'k'.repeat(129) },
    },
    { name: 'list: limit 0', method: 'GET', url: `${base}?limit=0` },
    { name: 'list: limit 101', method: 'GET', url: `${base}?limit=101` },
    { name: 'list: bad cursor', method: 'GET', url: `${base}?cursor=bm9wZQ` },
    {
      name: 'list: cursor past the years a timestamp holds',
      method: 'GET',
      url: `${base}?cursor=${Buffer.from(JSON.stringify(['+275760-09-13T00:00:00.000Z', characterId])).toString('base64url')}`,
    },
    {
      name: 'create: U+0000 in appearance',
      method: 'POST',
      url: base,
      body: { ...create, appearance: { voice: 'a\u0000' } },
    },
    {
      name: 'patch: lone surrogate in appearance',
      method: 'PATCH',
      url: character,
      body: { appearance: { voice: '\ud800' } },
    },
    {
      name: 'grant: U+0000 in sourceId',
      method: 'POST',
      url: `${character}/inventory/grants`,
      as: admin,
      body: { ...grant, sourceId: 'a\u0000b' },
    },
    { name: 'list: unknown parameter', method: 'GET', url: `${base}?sort=name` },
    { name: 'sheet: not a uuid', method: 'GET', url: `${base}/not-a-uuid` },
    { name: 'patch: empty body', method: 'PATCH', url: character, body: {} },
    { name: 'patch: unknown district', method: 'PATCH', url: character, body: { district: 'pacifica' } },
    { name: 'patch: name is not editable', method: 'PATCH', url: character, body: { name: 'Other Name' } },
    { name: 'patch: not a uuid', method: 'PATCH', url: `${base}/123`, body: { district: 'watson' } },
    { name: 'delete: not a uuid', method: 'DELETE', url: `${base}/123` },
    { name: 'restore: not a uuid', method: 'POST', url: `${base}/123/restore` },
    { name: 'inventory: not a uuid', method: 'GET', url: `${base}/123/inventory` },
    { name: 'equip: unknown slot', method: 'POST', url: `${item}/equip`, body: { slot: 'tail' } },
    { name: 'equip: item not a uuid', method: 'POST', url: `${character}/inventory/123/equip`, body: {} },
    { name: 'unequip: unknown field', method: 'POST', url: `${item}/unequip`, body: { force: true } },
    { name: 'use: unknown field', method: 'POST', url: `${item}/use`, body: { quantity: 2 } },
    { name: 'drop: zero', method: 'POST', url: `${item}/drop`, body: { quantity: 0 } },
    { name: 'drop: fraction', method: 'POST', url: `${item}/drop`, body: { quantity: 1.5 } },
    { name: 'drop: string', method: 'POST', url: `${item}/drop`, body: { quantity: 'all' } },
    {
      name: 'grant: zero',
      method: 'POST',
      url: `${character}/inventory/grants`,
      as: admin,
      body: { ...grant, quantity: 0 },
    },
    {
      name: 'grant: negative',
      method: 'POST',
      url: `${character}/inventory/grants`,
      as: admin,
      body: { ...grant, quantity: -3 },
    },
    {
      name: 'grant: unknown template',
      method: 'POST',
      url: `${character}/inventory/grants`,
      as: admin,
      body: { ...grant, templateId: 'metal' },
    },
    {
      name: 'grant: missing sourceId',
      method: 'POST',
      url: `${character}/inventory/grants`,
      as: admin,
      body: { templateId: 'medkit', quantity: 1, source: 'x' },
    },
    {
      name: 'grant: unknown field',
      method: 'POST',
      url: `${character}/inventory/grants`,
      as: admin,
      body: { ...grant, characterId },
    },
    { name: 'grant: not a uuid', method: 'POST', url: `${base}/123/inventory/grants`, as: admin, body: grant },
    { name: 'internal: not a uuid', method: 'GET', url: '/internal/v1/characters/123', as: service },
    { name: 'internal skills: not a uuid', method: 'GET', url: '/internal/v1/characters/123/skills', as: service },
  ];
}

describe(`bad input (${adapterLabel})`, () => {
  it('answers 400 VALIDATION_ERROR problems on every route', async () => {
    for (const testCase of cases()) {
      const response = await h.request({ ...testCase, as: testCase.as ?? player });
      assert.equal(response.status, 400, `${testCase.name}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.code, 'VALIDATION_ERROR', testCase.name);
      assert.match(String(response.headers['content-type']), /application\/problem\+json/, testCase.name);
      assert.ok(response.body.traceId, testCase.name);
    }
    const list = await h.request({ method: 'GET', url: base, as: player });
    assert.equal(list.body.items.length, 1, 'no bad request created anything');
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await h.request({
      method: 'POST',
      url: base,
      as: player,
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'VALIDATION_ERROR');
  });
});
