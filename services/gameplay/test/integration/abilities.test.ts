/**
 * Active skills and Curved Shot: prerequisites named, the cooldown in the shared cache (one winner
 * of simultaneous activations, seen by a second replica, cut by a 2-bounce chain, over once its
 * time has run at TIME_SCALE), and the events of each.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { adapterLabel, callHttp, realRedisUrl } from '@necp/platform/testing';
import { type Fighter, type Gameplay, Paths, shot, startGameplay, startReplica } from '../support/harness.ts';

let gameplay: Gameplay;
before(async () => {
  gameplay = await startGameplay();
});
after(() => gameplay.close());

/** A character with every Curved Shot prerequisite, the coupler (and a smart scope) installed. */
async function curver(on: Gameplay = gameplay): Promise<Fighter> {
  const me = await on.fighter({
    weapons: ['smart_pistol_kenshin'],
    implants: ['smart_wrist_tendons'],
    mods: ['neuro_gyro_coupler', 'scope_smart_mk1'],
    skills: { precision: 40 },
  });
  const patched = await on.call('PATCH', Paths.mods(me.weapons[0] as string, me.characterId), me.token, {
    strategy: 'merge',
    slots: [
      { slot: 'chip', modId: 'neuro_gyro_coupler' },
      { slot: 'scope', modId: 'scope_smart_mk1' },
    ],
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  return me;
}

const activation = (me: Fighter, bendAngle = 12) => ({
  characterId: me.characterId,
  weaponId: me.weapons[0],
  bendAngle,
});

const closeTo = (actual: string, expectedMs: number, toleranceMs = 250) =>
  assert.ok(
    Math.abs(Date.parse(actual) - expectedMs) <= toleranceMs,
    `${actual} is not within ${toleranceMs} ms of ${new Date(expectedMs).toISOString()}`,
  );

describe(`active skills and Curved Shot (${adapterLabel})`, () => {
  it('lists the combat skills with what unlocks them, availability, cooldown and modifiers', async () => {
    const low = await gameplay.fighter({ skills: { precision: 20 } });
    const skills = await gameplay.call('GET', Paths.skills(low.characterId), low.token);
    assert.equal(skills.status, 200, JSON.stringify(skills.body));
    const [sculptor, bounce] = skills.body.skills;
    assert.equal(sculptor.skillId, 'trajectory_sculptor');
    assert.equal(sculptor.ability, 'curved_shot');
    assert.equal(sculptor.unlocked, false);
    assert.equal(sculptor.available, false);
    assert.deepEqual(sculptor.requires, { skill: 'precision', level: 40, actual: 20 });
    assert.equal(sculptor.cooldownEndsAt, null);
    assert.equal(sculptor.modifiers.damageMultiplier, 0.9);
    assert.equal(sculptor.modifiers.cooldownSeconds, 15);
    assert.equal(bounce.skillId, 'tactical_bounce');
    assert.equal(bounce.modifiers.maxBounces, 3);

    const high = await gameplay.fighter({ skills: { precision: 60 } });
    const unlocked = (await gameplay.call('GET', Paths.skills(high.characterId), high.token)).body.skills;
    assert.deepEqual(
      unlocked.map((skill: { unlocked: boolean; available: boolean }) => [skill.unlocked, skill.available]),
      [
        [true, true],
        [true, true],
      ],
    );
    assert.equal((await gameplay.call('GET', Paths.skills(high.characterId), low.token)).status, 403);
  });

  it('names every missing prerequisite with 422 PREREQUISITES_MISSING, and starts no cooldown', async () => {
    const me = await gameplay.fighter({ weapons: ['pistol_m10'], skills: { precision: 39 } });
    const refused = await gameplay.call('POST', Paths.curvedShot, me.token, activation(me));
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'PREREQUISITES_MISSING');
    assert.deepEqual(
      refused.body.missing.map((missing: { requirement: string; id: string }) => [missing.requirement, missing.id]),
      [
        ['implant', 'smart_wrist_tendons'],
        ['skill', 'trajectory_sculptor'],
        ['mod', 'neuro_gyro_coupler'],
        ['weaponClass', 'pistol'],
      ],
    );
    assert.equal(refused.body.missing[1].actual, 39);
    assert.deepEqual(await gameplay.events('combat.abilities.curved', me.characterId), []);
    const skills = (await gameplay.call('GET', Paths.skills(me.characterId), me.token)).body.skills;
    assert.equal(skills[0].cooldownEndsAt, null);
  });

  it('activates, then answers 409 ON_COOLDOWN with cooldownEndsAt until the cooldown ends', async () => {
    const me = await curver();
    const startedAt = Date.now();
    const activated = await gameplay.call('POST', Paths.curvedShot, me.token, activation(me, 12));
    assert.equal(activated.status, 201, JSON.stringify(activated.body));
    assert.equal(activated.body.energyCost, 14);
    assert.equal(activated.body.cooldownSeconds, 15);
    closeTo(activated.body.cooldownEndsAt, startedAt + 15_000, 1_000);

    const again = await gameplay.call('POST', Paths.curvedShot, me.token, activation(me, 30));
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.code, 'ON_COOLDOWN');
    assert.equal(again.body.cooldownEndsAt, activated.body.cooldownEndsAt);
    assert.ok(Number(again.headers.get('retry-after')) >= 14);

    const skills = (await gameplay.call('GET', Paths.skills(me.characterId), me.token)).body.skills;
    assert.equal(skills[0].available, false);
    assert.equal(skills[0].cooldownEndsAt, activated.body.cooldownEndsAt);

    assert.deepEqual(await gameplay.events('combat.abilities.curved', me.characterId), [
      {
        characterId: me.characterId,
        weaponId: me.weapons[0],
        bendAngle: 12,
        cooldownEndsAt: activated.body.cooldownEndsAt,
      },
    ]);
    assert.deepEqual(await gameplay.events('player.skills.cooldowns', me.characterId), [
      { characterId: me.characterId, skillId: 'trajectory_sculptor', cooldownEndsAt: activated.body.cooldownEndsAt },
    ]);
  });

  it('lets exactly one of simultaneous activations through', async () => {
    const me = await curver();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => gameplay.call('POST', Paths.curvedShot, me.token, activation(me))),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    assert.equal((await gameplay.events('combat.abilities.curved', me.characterId)).length, 1);
  });

  it('cuts a running cooldown by 5 s when a shot ricochets twice, and says so on player.skills.cooldowns', async () => {
    const me = await curver();
    const activated = await gameplay.call('POST', Paths.curvedShot, me.token, activation(me));
    const endsAt = Date.parse(activated.body.cooldownEndsAt);
    // Smart Ricochet: ricochet rounds, a smart scope, metal: 2 bounces.
    const fired = await gameplay.call(
      'POST',
      Paths.simulate,
      me.token,
      shot(me, { ammoType: 'ricochet_rounds', environmentMaterial: 'metal' }),
    );
    assert.equal(fired.body.ricochetPath.length, 2);
    const skills = (await gameplay.call('GET', Paths.skills(me.characterId), me.token)).body.skills;
    closeTo(skills[0].cooldownEndsAt, endsAt - 5_000);
    const cooldowns = await gameplay.events('player.skills.cooldowns', me.characterId);
    assert.equal(cooldowns.length, 2);
    assert.equal(cooldowns[1]?.cooldownEndsAt, skills[0].cooldownEndsAt);

    // A single natural bounce, or none, moves nothing.
    const plain = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { environmentMaterial: 'organic' }));
    assert.equal(plain.body.ricochetPath.length, 0);
    assert.equal((await gameplay.events('player.skills.cooldowns', me.characterId)).length, 2);
  });

  it('shares cooldowns and the open combat with a second replica', async () => {
    // On real servers the two share Redis, not a process's memory.
    assert.equal(gameplay.runtime.cache.kind, realRedisUrl ? 'redis' : 'memory');
    const replica = await startReplica(gameplay);
    try {
      const me = await curver();
      const activated = await gameplay.call('POST', Paths.curvedShot, me.token, activation(me));
      assert.equal(activated.status, 201);
      const elsewhere = await callHttp(replica.base, 'POST', Paths.curvedShot, {
        token: me.token,
        body: activation(me),
      });
      assert.equal(elsewhere.status, 409, JSON.stringify(elsewhere.body));
      assert.equal(elsewhere.body.cooldownEndsAt, activated.body.cooldownEndsAt);
      const skills = await callHttp(replica.base, 'GET', Paths.skills(me.characterId), { token: me.token });
      assert.equal(skills.body.skills[0].cooldownEndsAt, activated.body.cooldownEndsAt);

      const first = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { seed: 3 }));
      const second = await callHttp(replica.base, 'POST', Paths.simulate, {
        token: me.token,
        body: shot(me, { seed: 4 }),
      });
      assert.equal(second.status, 200);
      assert.equal(second.body.combatId, first.body.combatId);
    } finally {
      await replica.stop();
    }
  });
});

describe(`a cooldown at TIME_SCALE 50 (${adapterLabel})`, () => {
  let fast: Gameplay;
  before(async () => {
    fast = await startGameplay({ TIME_SCALE: '50' });
  });
  after(() => fast.close());

  it('runs 15 game seconds as 0.3 real seconds, then lets Curved Shot fire again', async () => {
    const me = await curver(fast);
    const startedAt = Date.now();
    const activated = await fast.call('POST', Paths.curvedShot, me.token, activation(me));
    assert.equal(activated.status, 201);
    assert.equal(activated.body.cooldownSeconds, 15);
    const endsAt = Date.parse(activated.body.cooldownEndsAt);
    closeTo(activated.body.cooldownEndsAt, startedAt + 300, 200);
    // Waits for the end the service announced, not for a guess.
    await sleep(Math.max(0, endsAt - Date.now() + 50));
    const again = await fast.call('POST', Paths.curvedShot, me.token, activation(me));
    assert.equal(again.status, 201, JSON.stringify(again.body));
  });
});
