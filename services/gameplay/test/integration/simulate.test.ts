/**
 * POST simulate with the character's real loadout (character-service's answer), its storage,
 * replay, telemetry and `combat.ballistics.events`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { type Gameplay, Paths, shot, startGameplay } from '../support/harness.ts';

let gameplay: Gameplay;
before(async () => {
  gameplay = await startGameplay();
});
after(() => gameplay.close());

describe(`simulate (${adapterLabel})`, () => {
  it('fires the weapon with its class, counted mods and implants, and is deterministic for a seed', async () => {
    const me = await gameplay.fighter({ weapons: ['rifle_ajax'], implants: ['kiroshi_optics'] });
    const first = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { distanceMeters: 30 }));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // assault 70, in its 15–60 m range: 0.70 + kiroshi 0.05.
    assert.equal(first.body.damageBreakdown.baseDamage, 70);
    assert.equal(first.body.hitProbability, 0.75);
    assert.equal(first.body.hitBreakdown.implantsBonus, 0.05);
    assert.equal(first.body.expectedDamage, 52.5);
    assert.equal(first.body.characterId, me.characterId);
    assert.equal(first.body.weaponId, me.weapons[0]);
    assert.equal(first.body.seed, 42);
    assert.equal(first.body.rulesetVersion, 'ballistics-1');
    assert.match(first.body.rulesetFingerprint, /^[0-9a-f]{8}$/);

    const again = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { distanceMeters: 30 }));
    const { simulationId: a, ...one } = first.body;
    const { simulationId: b, ...two } = again.body;
    assert.notEqual(a, b);
    assert.deepEqual(two, one, 'same seed, same character, same combat: the same answer');
  });

  it('fires a carried (unequipped) weapon, and refuses a weapon or character that is not the caller’s', async () => {
    const me = await gameplay.fighter({ weapons: ['pistol_m10', 'shotgun_carnage'] });
    const carried = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { weaponId: me.weapons[1] }));
    assert.equal(carried.status, 200, JSON.stringify(carried.body));
    assert.equal(carried.body.damageBreakdown.pellets, 8);

    const other = await gameplay.fighter();
    const othersWeapon = await gameplay.call(
      'POST',
      Paths.simulate,
      me.token,
      shot(me, { weaponId: other.weapons[0] }),
    );
    assert.equal(othersWeapon.status, 404);
    assert.equal(othersWeapon.body.code, 'NOT_FOUND');
    const othersCharacter = await gameplay.call('POST', Paths.simulate, me.token, shot(other));
    assert.equal(othersCharacter.status, 403);
    assert.equal(othersCharacter.body.code, 'CHARACTER_NOT_OWNED');
    const unknown = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { characterId: randomUUID() }));
    assert.equal(unknown.status, 404);
    const count = await sql<{ n: string }>`SELECT count(*) AS n FROM mvp_core.gameplay_simulations
      WHERE character_id = ${other.characterId}`.execute(gameplay.db.kysely);
    assert.equal(Number(count.rows[0]?.n), 0, 'a refused shot stores nothing');
  });

  it('answers 503 while character-service is down and 502 for an answer it should not give, storing nothing', async () => {
    const me = await gameplay.fighter();
    gameplay.issuer.characterServiceDown = true;
    try {
      const down = await gameplay.call('POST', Paths.simulate, me.token, shot(me));
      assert.equal(down.status, 503, JSON.stringify(down.body));
      assert.equal(down.body.code, 'UPSTREAM_UNAVAILABLE');
    } finally {
      gameplay.issuer.characterServiceDown = false;
    }
    const { weapons: _weapons, ...withoutWeapons } = me.loadout;
    gameplay.issuer.remoteLoadouts.set(me.characterId, withoutWeapons);
    const garbled = await gameplay.call('POST', Paths.simulate, me.token, shot(me));
    assert.equal(garbled.status, 502, JSON.stringify(garbled.body));
    const count = await sql<{ n: string }>`SELECT count(*) AS n FROM mvp_core.gameplay_simulations
      WHERE character_id = ${me.characterId}`.execute(gameplay.db.kysely);
    assert.equal(Number(count.rows[0]?.n), 0);
  });

  it('announces each shot on combat.ballistics.events with the district and the linked order', async () => {
    const me = await gameplay.fighter({ district: 'heywood' });
    const combatId = randomUUID();
    const linkedOrderId = randomUUID();
    const fired = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { combatId, linkedOrderId }));
    assert.equal(fired.status, 200);
    const events = await gameplay.events('combat.ballistics.events', combatId);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0], {
      simulationId: fired.body.simulationId,
      combatId,
      characterId: me.characterId,
      weaponId: me.weapons[0],
      weaponClass: 'smart_pistol',
      distance: 10,
      hit: fired.body.hit,
      damageDealt: fired.body.damageDealt,
      ricochetCount: 0,
      curvedShotUsed: false,
      statusEffects: [],
      districtId: 'heywood',
      linkedOrderId,
    });
  });

  it('keeps the character in its open combat when no combatId is named', async () => {
    const me = await gameplay.fighter();
    const first = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { seed: 1 }));
    const second = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { seed: 2 }));
    assert.equal(second.body.combatId, first.body.combatId);
    const named = randomUUID();
    const third = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { combatId: named }));
    assert.equal(third.body.combatId, named);
  });

  it('answers a repeated Idempotency-Key with the first answer and stores one simulation', async () => {
    const me = await gameplay.fighter();
    const headers = { 'idempotency-key': randomUUID() };
    const body = shot(me);
    delete (body as { seed?: number }).seed;
    const answers = await Promise.all(
      [1, 2, 3].map(() => gameplay.call('POST', Paths.simulate, me.token, body, headers)),
    );
    for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answers[1]?.body, answers[0]?.body);
    assert.deepEqual(answers[2]?.body, answers[0]?.body);
    const stored = await sql<{ n: string }>`SELECT count(*) AS n FROM mvp_core.gameplay_simulations
      WHERE character_id = ${me.characterId}`.execute(gameplay.db.kysely);
    assert.equal(Number(stored.rows[0]?.n), 1);
  });
});

describe(`replay (${adapterLabel})`, () => {
  it('replays a stored simulation from its seed to the same body', async () => {
    const me = await gameplay.fighter({
      weapons: ['smart_rifle_sor22'],
      implants: ['smart_wrist_tendons', 'gyro_stabilizer_mk3'],
      mods: ['scope_smart_mk1', 'neuro_gyro_coupler'],
      skills: { precision: 60 },
    });
    const patched = await gameplay.call('PATCH', Paths.mods(me.weapons[0] as string, me.characterId), me.token, {
      strategy: 'merge',
      slots: [
        { slot: 'scope', modId: 'scope_smart_mk1' },
        { slot: 'chip', modId: 'neuro_gyro_coupler' },
      ],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    for (const seed of [0, 7, 123_456, 4_294_967_295]) {
      const fired = await gameplay.call(
        'POST',
        Paths.simulate,
        me.token,
        shot(me, {
          seed,
          ammoType: 'emp',
          distanceMeters: 75,
          angleDegrees: 50,
          environmentMaterial: 'metal',
          flags: { curvedShot: true, smartAssist: true },
          bendAngle: 12,
        }),
      );
      assert.equal(fired.status, 200, JSON.stringify(fired.body));
      assert.equal(fired.body.curvedShotUsed, true);
      const replay = await gameplay.call('GET', Paths.replay(fired.body.simulationId), me.token);
      assert.equal(replay.status, 200, JSON.stringify(replay.body));
      assert.equal(replay.body.matches, true, JSON.stringify(replay.body.differences));
      assert.deepEqual(replay.body.replayed, fired.body);
      assert.deepEqual(replay.body.stored, fired.body);
      assert.equal(replay.body.ruleset.changed, false);
    }
  });

  it('names a changed ruleset and the fields that differ, instead of differing silently', async () => {
    const me = await gameplay.fighter();
    const fired = await gameplay.call('POST', Paths.simulate, me.token, shot(me));
    // As if it had been computed under an older ruleset, with another number.
    await sql`UPDATE mvp_core.gameplay_simulations
      SET ruleset_version = 'ballistics-0', ruleset_fingerprint = '00000000',
          result = jsonb_set(jsonb_set(result, '{expectedDamage}', '1'), '{rulesetFingerprint}', '"00000000"')
      WHERE id = ${fired.body.simulationId}`.execute(gameplay.db.kysely);
    const replay = await gameplay.call('GET', Paths.replay(fired.body.simulationId), me.token);
    assert.equal(replay.status, 200);
    assert.equal(replay.body.matches, false);
    assert.deepEqual(replay.body.differences.sort(), ['expectedDamage', 'rulesetFingerprint']);
    assert.equal(replay.body.ruleset.changed, true);
    assert.deepEqual(replay.body.ruleset.stored, { version: 'ballistics-0', fingerprint: '00000000' });
    assert.equal(replay.body.ruleset.current.version, 'ballistics-1');
    assert.equal(replay.body.replayed.expectedDamage, fired.body.expectedDamage);
  });

  it("refuses another account's simulation (403) and an unknown one (404)", async () => {
    const me = await gameplay.fighter();
    const fired = await gameplay.call('POST', Paths.simulate, me.token, shot(me));
    const other = await gameplay.fighter();
    assert.equal((await gameplay.call('GET', Paths.replay(fired.body.simulationId), other.token)).status, 403);
    assert.equal((await gameplay.call('GET', Paths.replay(randomUUID()), me.token)).status, 404);
    const admin = await gameplay.adminToken();
    assert.equal((await gameplay.call('GET', Paths.replay(fired.body.simulationId), admin)).status, 200);
  });
});

describe(`telemetry and profiles (${adapterLabel})`, () => {
  it("sums a combat's shots, hits, Curved Shot and ricochet use and damage, by mode", async () => {
    const me = await gameplay.fighter({
      weapons: ['smart_pistol_kenshin'],
      implants: ['smart_wrist_tendons'],
      mods: ['neuro_gyro_coupler'],
      skills: { precision: 40 },
    });
    await gameplay.call('PATCH', Paths.mods(me.weapons[0] as string, me.characterId), me.token, {
      strategy: 'merge',
      slots: [{ slot: 'chip', modId: 'neuro_gyro_coupler' }],
    });
    const combatId = randomUUID();
    const bodies = [];
    for (let seed = 0; seed < 12; seed += 1) {
      const fired = await gameplay.call(
        'POST',
        Paths.simulate,
        me.token,
        shot(me, {
          combatId,
          seed,
          angleDegrees: 60,
          environmentMaterial: 'metal',
          flags: { curvedShot: seed % 3 === 0, smartAssist: false },
        }),
      );
      assert.equal(fired.status, 200, JSON.stringify(fired.body));
      bodies.push(fired.body);
    }
    const telemetry = await gameplay.call('GET', Paths.telemetry(combatId), me.token);
    assert.equal(telemetry.status, 200, JSON.stringify(telemetry.body));
    const hits = bodies.filter((body) => body.hit).length;
    const damage = bodies.reduce((total, body) => total + body.damageDealt, 0);
    assert.equal(telemetry.body.totalShots, 12);
    assert.equal(telemetry.body.hits, hits);
    assert.equal(telemetry.body.curvedShotUsage, 4);
    assert.equal(telemetry.body.ricochetUsage, bodies.filter((body) => body.ricochetPath.length > 0).length);
    assert.equal(telemetry.body.averageDamage, Math.round((damage / 12) * 100) / 100);
    const shotsByMode = Object.fromEntries(
      telemetry.body.byMode.map((mode: { mode: string; shots: number }) => [mode.mode, mode.shots]),
    );
    assert.equal(shotsByMode.curved_shot, 4);
    assert.equal((shotsByMode.direct ?? 0) + (shotsByMode.ricochet ?? 0), 8);

    const stranger = await gameplay.fighter();
    assert.equal((await gameplay.call('GET', Paths.telemetry(combatId), stranger.token)).status, 403);
    assert.equal((await gameplay.call('GET', Paths.telemetry(randomUUID()), me.token)).status, 404);
  });

  it("serves a weapon template's profile, 404 for a template that is no weapon", async () => {
    const me = await gameplay.fighter();
    const sniper = await gameplay.call('GET', Paths.profile('sniper_nekomata'), me.token);
    assert.equal(sniper.status, 200);
    assert.equal(sniper.body.weaponClass, 'sniper');
    assert.equal(sniper.body.baseDamage, 140);
    assert.equal(sniper.body.optimalMin, 50);
    assert.equal(sniper.body.curvedShotSupport, false);
    const shotgun = await gameplay.call('GET', Paths.profile('shotgun_carnage'), me.token);
    assert.ok(!shotgun.body.supportedMods.some((mod: string) => mod.startsWith('scope')));
    assert.equal((await gameplay.call('GET', Paths.profile('medkit'), me.token)).status, 404);
  });
});
