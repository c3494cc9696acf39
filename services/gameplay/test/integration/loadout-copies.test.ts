/**
 * `simulate` keeps a copy of the character's loadout under the loadout version in the shared cache
 * (character-service moves it after every change, gameplay after a weapon-mods PATCH): while the
 * version stays, the copy answers; once it moves, the next simulation, on any replica, reads again. Without a version nothing is kept.
 * Ownership holds on a kept copy, and simulations fired at once are all stored (group commit).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadoutChanged, loadoutVersionKey } from '@necp/platform';
import { adapterLabel } from '@necp/platform/testing';
import { type Fighter, type Gameplay, Paths, shot, startGameplay, startReplica } from '../support/harness.ts';

let gameplay: Gameplay;
before(async () => {
  gameplay = await startGameplay();
});
after(() => gameplay.close());

const chipShot = (me: Fighter) => shot(me, { distanceMeters: 30 });

/** character-service's answer loses the chip, without the version move that follows a real drop. */
function withoutChip(me: Fighter): void {
  me.loadout.mods = me.loadout.mods.filter((mod) => mod.templateId !== 'chip_targeting');
}

async function fighterWithChip(): Promise<Fighter> {
  const me = await gameplay.fighter({ weapons: ['rifle_ajax'], mods: ['chip_targeting'] });
  const patched = await gameplay.call('PATCH', Paths.mods(me.weapons[0] as string, me.characterId), me.token, {
    strategy: 'merge',
    slots: [{ slot: 'chip', modId: 'chip_targeting' }],
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  return me;
}

describe(`loadout copies (${adapterLabel})`, () => {
  it('answers from the copy while the version stays, and asks again once it moves', async () => {
    const me = await fighterWithChip();
    await loadoutChanged(gameplay.runtime.cache, me.characterId);
    const first = await gameplay.call('POST', Paths.simulate, me.token, chipShot(me));
    assert.equal(first.body.hitBreakdown.modsBonus, 0.05);

    // character-service changed the loadout but has not moved the version yet: the copy answers.
    withoutChip(me);
    const kept = await gameplay.call('POST', Paths.simulate, me.token, chipShot(me));
    assert.equal(kept.body.hitBreakdown.modsBonus, 0.05, 'the copy kept under the unmoved version');

    await loadoutChanged(gameplay.runtime.cache, me.characterId);
    const after = await gameplay.call('POST', Paths.simulate, me.token, chipShot(me));
    assert.equal(after.body.hitBreakdown.modsBonus, 0, 'the version moved: asked again, the chip is gone');
  });

  it("a weapon-mods PATCH moves the version: the next simulation counts the weapon's new mods", async () => {
    const me = await fighterWithChip();
    await loadoutChanged(gameplay.runtime.cache, me.characterId);
    const first = await gameplay.call('POST', Paths.simulate, me.token, chipShot(me));
    assert.equal(first.body.hitBreakdown.modsBonus, 0.05);
    const emptied = await gameplay.call('PATCH', Paths.mods(me.weapons[0] as string, me.characterId), me.token, {
      strategy: 'overwrite',
      slots: [],
    });
    assert.equal(emptied.status, 200, JSON.stringify(emptied.body));
    const next = await gameplay.call('POST', Paths.simulate, me.token, chipShot(me));
    assert.equal(next.body.hitBreakdown.modsBonus, 0, 'the chip came off');
  });

  it('keeps no copy for a character whose loadout has no version', async () => {
    const me = await fighterWithChip();
    // Never moved, or evicted: no version.
    await gameplay.runtime.cache.delete(loadoutVersionKey(me.characterId));
    const first = await gameplay.call('POST', Paths.simulate, me.token, chipShot(me));
    assert.equal(first.body.hitBreakdown.modsBonus, 0.05);
    withoutChip(me);
    const next = await gameplay.call('POST', Paths.simulate, me.token, chipShot(me));
    assert.equal(next.body.hitBreakdown.modsBonus, 0);
  });

  it("refuses another account's character from a kept copy (403) and a weapon it does not own (404)", async () => {
    const me = await fighterWithChip();
    const other = await gameplay.fighter();
    await loadoutChanged(gameplay.runtime.cache, me.characterId);
    assert.equal((await gameplay.call('POST', Paths.simulate, me.token, chipShot(me))).status, 200);
    const foreign = await gameplay.call('POST', Paths.simulate, other.token, chipShot(me));
    assert.equal(foreign.status, 403);
    const notMine = await gameplay.call('POST', Paths.simulate, me.token, {
      ...chipShot(me),
      weaponId: other.weapons[0],
    });
    assert.equal(notMine.status, 404);
  });

  it('a version moved once is seen by every replica', async () => {
    const replica = await startReplica(gameplay);
    try {
      const me = await fighterWithChip();
      await loadoutChanged(gameplay.runtime.cache, me.characterId);
      const viaReplica = (body: unknown) =>
        fetch(`${replica.base}${Paths.simulate}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${me.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(async (response) => (await response.json()) as { hitBreakdown: { modsBonus: number } });
      assert.equal(
        (await gameplay.call('POST', Paths.simulate, me.token, chipShot(me))).body.hitBreakdown.modsBonus,
        0.05,
      );
      assert.equal((await viaReplica(chipShot(me))).hitBreakdown.modsBonus, 0.05);
      me.drop('chip_targeting');
      await loadoutChanged(gameplay.runtime.cache, me.characterId);
      assert.equal(
        (await gameplay.call('POST', Paths.simulate, me.token, chipShot(me))).body.hitBreakdown.modsBonus,
        0,
      );
      assert.equal((await viaReplica(chipShot(me))).hitBreakdown.modsBonus, 0);
    } finally {
      await replica.stop();
    }
  });

  it('stores every one of many simulations fired at once, each with its event', async () => {
    const me = await gameplay.fighter();
    await loadoutChanged(gameplay.runtime.cache, me.characterId);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => gameplay.call('POST', Paths.simulate, me.token, shot(me, { seed: i }))),
    );
    for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
    // Shots fired before any combat was open may each open their own: count per combat.
    const combats = [...new Set(answers.map((answer) => answer.body.combatId as string))];
    const eventIds: string[] = [];
    let shots = 0;
    for (const combatId of combats) {
      const events = await gameplay.events('combat.ballistics.events', combatId);
      eventIds.push(...events.map((event) => event.simulationId));
      const telemetry = await gameplay.call('GET', Paths.telemetry(combatId), me.token);
      assert.equal(telemetry.status, 200, JSON.stringify(telemetry.body));
      for (const mode of telemetry.body.byMode as { shots: number }[]) shots += mode.shots;
    }
    assert.equal(shots, 40, 'every shot stored');
    assert.deepEqual(eventIds.sort(), answers.map((answer) => answer.body.simulationId as string).sort());
  });
});
