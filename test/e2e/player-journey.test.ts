import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@necp/platform/testing';
import { type E2eBackend, startE2eBackend } from './support/backend.ts';

interface Json {
  [key: string]: unknown;
}

/** A game client: JSON over HTTP to the gateway, as a player's client would call it. */
function client(gateway: string) {
  return async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(`${gateway}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json, headers: response.headers };
  };
}

describe('a player journey through the gateway: account, characters, starting kit, a transfer', () => {
  let e2e: E2eBackend;
  let call: ReturnType<typeof client>;

  before(async () => {
    e2e = await startE2eBackend();
    call = client(e2e.gateway);
  });
  after(() => e2e.stop());

  async function player(tag: string) {
    const suffix = randomUUID().slice(0, 6);
    const username = `${tag}_${suffix}`;
    const password = `Neon-city-${randomUUID()}`;
    const registered = await call('POST', '/api/v1/auth/register', {
      body: { email: `${username}@example.test`, username, password },
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const login = await call('POST', '/api/v1/auth/login', { body: { login: username, password } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const token = login.body.access_token as string;
    const created = await call('POST', '/api/v1/characters', {
      token,
      body: { name: `${tag} ${suffix}`, origin: 'street_kid', class: 'solo' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return { token, characterId: (created.body.characterId ?? created.body.id) as string };
  }

  const eddies = async (token: string, characterId: string) => {
    const wallet = await call('GET', `/api/v1/economy/wallets/${characterId}`, { token });
    if (wallet.status !== 200) return undefined;
    const balance = (wallet.body.balances as { asset: string; available: number }[]).find((b) => b.asset === 'EDD');
    return balance && balance.available > 0 ? balance.available : undefined;
  };

  it('grants the starting kit once the character exists, and moves eddies between players exactly once', async () => {
    const alice = await player('alice');
    const bob = await player('bob');
    assert.equal(
      await waitFor("alice's starting eddies", () => eddies(alice.token, alice.characterId), { timeoutMs: 15_000 }),
      1000,
    );
    assert.equal(
      await waitFor("bob's starting eddies", () => eddies(bob.token, bob.characterId), { timeoutMs: 15_000 }),
      1000,
    );

    const inventory = await call('GET', `/api/v1/characters/${alice.characterId}/inventory`, { token: alice.token });
    assert.equal(inventory.status, 200);
    const templates = (inventory.body.items as { templateId: string; quantity: number }[]).map(
      (item) => item.templateId,
    );
    assert.ok(
      templates.includes('pistol_m10') && templates.includes('medkit'),
      'the street kid kit is in the backpack',
    );

    const transfer = { fromCharacterId: alice.characterId, toCharacterId: bob.characterId, asset: 'EDD', amount: 250 };
    const key = randomUUID();
    const first = await call('POST', '/api/v1/economy/transfers', {
      token: alice.token,
      body: transfer,
      headers: { 'idempotency-key': key },
    });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const replay = await call('POST', '/api/v1/economy/transfers', {
      token: alice.token,
      body: transfer,
      headers: { 'idempotency-key': key },
    });
    assert.equal(replay.status, 201);
    assert.deepEqual(replay.body, first.body);
    assert.equal(await eddies(alice.token, alice.characterId), 750);
    assert.equal(await eddies(bob.token, bob.characterId), 1250);

    const theft = await call('POST', '/api/v1/economy/transfers', {
      token: bob.token,
      body: { ...transfer, amount: 1 },
    });
    assert.equal(theft.status, 403, 'bob cannot spend from alice');
    assert.equal(theft.body.code, 'CHARACTER_NOT_OWNED');

    const toNobody = await call('POST', '/api/v1/economy/transfers', {
      token: alice.token,
      body: { ...transfer, toCharacterId: randomUUID() },
    });
    assert.equal(toNobody.status, 404, 'nothing is paid to a character that does not exist');
    const unstorable = await call('POST', '/api/v1/economy/transfers', {
      token: alice.token,
      body: { ...transfer, memo: 'rent\u0000' },
    });
    assert.equal(unstorable.status, 400, 'text the database cannot store is refused, not a 500');
    assert.equal(await eddies(alice.token, alice.characterId), 750);
  });

  it('keeps another account out of a character', async () => {
    const alice = await player('carol');
    const mallory = await player('mallory');
    const peek = await call('GET', `/api/v1/characters/${alice.characterId}`, { token: mallory.token });
    assert.ok(peek.status === 403 || peek.status === 404, String(peek.status));
    const unauthenticated = await call('GET', `/api/v1/characters/${alice.characterId}`);
    assert.equal(unauthenticated.status, 401);
  });
});
