/**
 * Combat through the gateway with the real character-service behind gameplay: a corpo's starting
 * smart pistol (carried, not equipped), implants and mods granted and equipped, precision set by
 * live ops (PUT skills), mods installed, a simulation, Curved Shot and its cooldown, a dropped mod
 * that stops counting, and the gateway's 180 simulations per minute per character (the 181st is 429,
 * another character of the same account is not limited).
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type E2eBackend, startE2eBackend } from './support/backend.ts';

/** Ten random lower-case letters: a character name that collides with no other run's. */
const letters = () => Array.from(randomBytes(10), (byte) => String.fromCharCode(97 + (byte % 26))).join('');

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field and checked with assertions
  body: any;
  headers: Headers;
}

describe('combat through the gateway (gameplay with character-service)', () => {
  let e2e: E2eBackend;
  let admin: string;

  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<Reply> => {
    const response = await fetch(`${e2e.gateway}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
  };
  const login = async (username: string, password: string) => {
    const answer = await call('POST', '/api/v1/auth/login', undefined, { login: username, password });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.access_token as string;
  };

  before(async () => {
    // As a deployment on real servers sets it (embedded mode generates one): gameplay reads the
    // combat loadout from character-service with its own token.
    e2e = await startE2eBackend({ GAMEPLAY_CLIENT_SECRET: `gameplay-${randomUUID()}` });
    admin = await login('admin', e2e.adminPassword);
  });
  after(() => e2e.stop());

  async function player() {
    const username = `gunner_${randomUUID().slice(0, 6)}`;
    const password = `Neon-city-${randomUUID()}`;
    const registered = await call('POST', '/api/v1/auth/register', undefined, {
      email: `${username}@example.test`,
      username,
      password,
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    return login(username, password);
  }

  async function character(token: string) {
    const created = await call('POST', '/api/v1/characters', token, {
      name: `Gunner ${letters()}`,
      origin: 'corpo',
      class: 'solo',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.characterId as string;
  }

  const items = async (token: string, characterId: string) =>
    (await call('GET', `/api/v1/characters/${characterId}/inventory`, token)).body.items as {
      itemId: string;
      templateId: string;
    }[];
  const itemOf = async (token: string, characterId: string, templateId: string) => {
    const item = (await items(token, characterId)).find((candidate) => candidate.templateId === templateId);
    assert.ok(item, `${templateId} is in the inventory`);
    return item.itemId;
  };
  const grant = async (characterId: string, templateId: string) => {
    const granted = await call('POST', `/api/v1/characters/${characterId}/inventory/grants`, admin, {
      templateId,
      quantity: 1,
      source: 'e2e',
      sourceId: randomUUID(),
    });
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
  };
  const simulate = (token: string, characterId: string, weaponId: string, extra: Record<string, unknown> = {}) =>
    call('POST', '/api/v1/gameplay/combat/ballistics/simulate', token, {
      characterId,
      weaponId,
      ammoType: 'standard',
      distanceMeters: 10,
      angleDegrees: 10,
      targetArmor: 'none',
      environmentMaterial: 'concrete',
      flags: { curvedShot: false, smartAssist: false },
      ...extra,
    });

  it('fires with the real loadout, activates Curved Shot once, and forgets a dropped mod', async () => {
    const token = await player();
    const characterId = await character(token);
    const pistol = await itemOf(token, characterId, 'smart_pistol_kenshin');
    for (const templateId of ['smart_wrist_tendons', 'neuro_gyro_coupler', 'chip_targeting']) {
      await grant(characterId, templateId);
    }
    const tendons = await itemOf(token, characterId, 'smart_wrist_tendons');
    const equipped = await call('POST', `/api/v1/characters/${characterId}/inventory/${tendons}/equip`, token, {});
    assert.equal(equipped.status, 200, JSON.stringify(equipped.body));

    const activate = () =>
      call('POST', '/api/v1/gameplay/combat/abilities/curved-shot/activate', token, {
        characterId,
        weaponId: pistol,
        bendAngle: 9,
      });
    const early = await activate();
    assert.equal(early.status, 422, JSON.stringify(early.body));
    assert.deepEqual(
      early.body.missing.map((missing: { id: string }) => missing.id),
      ['trajectory_sculptor', 'neuro_gyro_coupler'],
    );

    // Live ops raise precision; a player may not.
    const skills = { skills: { precision: 40 } };
    assert.equal((await call('PUT', `/api/v1/characters/${characterId}/skills`, token, skills)).status, 403);
    assert.equal((await call('PUT', `/api/v1/characters/${characterId}/skills`, admin, skills)).status, 200);
    const mods = `/api/v1/gameplay/combat/weapon-mods/${pistol}?characterId=${characterId}`;
    const patched = await call('PATCH', mods, token, {
      strategy: 'merge',
      slots: [{ slot: 'chip', modId: 'neuro_gyro_coupler' }],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));

    const fired = await simulate(token, characterId, pistol, {
      seed: 5,
      flags: { curvedShot: true, smartAssist: false },
    });
    assert.equal(fired.status, 200, JSON.stringify(fired.body));
    assert.equal(fired.body.curvedShotUsed, true);
    const replay = await call(
      'GET',
      `/api/v1/gameplay/combat/ballistics/simulations/${fired.body.simulationId}/replay`,
      token,
    );
    assert.equal(replay.body.matches, true);

    const activated = await activate();
    assert.equal(activated.status, 201, JSON.stringify(activated.body));
    assert.equal(activated.body.energyCost, 13);
    const cooling = await activate();
    assert.equal(cooling.status, 409);
    assert.equal(cooling.body.cooldownEndsAt, activated.body.cooldownEndsAt);

    // Dropped: the coupler no longer counts, so a Curved Shot flies straight.
    const coupler = await itemOf(token, characterId, 'neuro_gyro_coupler');
    const dropped = await call('POST', `/api/v1/characters/${characterId}/inventory/${coupler}/drop`, token, {});
    assert.equal(dropped.status, 200, JSON.stringify(dropped.body));
    const slots = (await call('GET', mods, token)).body.slots as { slot: string; modId: string | null }[];
    assert.equal(slots.find((slot) => slot.slot === 'chip')?.modId, null);
    const straight = await simulate(token, characterId, pistol, {
      seed: 5,
      flags: { curvedShot: true, smartAssist: false },
    });
    assert.equal(straight.body.curvedShotUsed, false);
    assert.equal(straight.body.warnings[0].code, 'CURVED_SHOT_PREREQUISITES_MISSING');
  });

  it('refuses the 181st simulation of a character within a minute, and only that character’s', async () => {
    const token = await player();
    const limited = await character(token);
    const other = await character(token);
    const pistol = await itemOf(token, limited, 'smart_pistol_kenshin');
    const otherPistol = await itemOf(token, other, 'smart_pistol_kenshin');
    // 180 allowed, in parallel batches; every answer names the limit.
    for (let batch = 0; batch < 6; batch += 1) {
      const answers = await Promise.all(Array.from({ length: 30 }, () => simulate(token, limited, pistol)));
      for (const answer of answers) {
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal(answer.headers.get('ratelimit-limit'), '180');
      }
    }
    const refused = await simulate(token, limited, pistol);
    assert.equal(refused.status, 429, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'RATE_LIMITED');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal(refused.headers.get('ratelimit-remaining'), '0');
    const elsewhere = await simulate(token, other, otherPistol);
    assert.equal(elsewhere.status, 200, 'another character of the account has its own count');
  });
});
