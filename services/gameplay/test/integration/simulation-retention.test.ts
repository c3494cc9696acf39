/**
 * The retention sweep of stored simulations, driven by ticking its schedule with dates: nothing goes
 * before the retention age, the oldest go first and at most a batch per tick, and a swept
 * simulation's replay answers 404.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { simulationRetention } from '../../src/jobs/simulation-retention.ts';
import { type Gameplay, Paths, shot, startGameplay } from '../support/harness.ts';

const DayMs = 86_400_000;

let gameplay: Gameplay;
before(async () => {
  gameplay = await startGameplay();
});
after(() => gameplay.close());

async function stored(): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM mvp_core.gameplay_simulations ORDER BY created_at`.execute(gameplay.db.kysely);
  return rows.map((row) => row.id);
}

describe(`simulation retention (${adapterLabel})`, () => {
  it('deletes the simulations older than the retention age, oldest first, a batch per tick', async () => {
    const me = await gameplay.fighter();
    const fired: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const answer = await gameplay.call('POST', Paths.simulate, me.token, shot(me, { seed: i }));
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      fired.push(answer.body.simulationId);
    }
    assert.deepEqual(await stored(), fired);
    const sweep = simulationRetention(gameplay.db, { days: 30, batch: 2 });
    const firedAt = Date.now();

    assert.equal(await sweep.tick(new Date(firedAt + 29 * DayMs)), true);
    assert.deepEqual(await stored(), fired, 'younger than 30 days: all kept');

    await sweep.tick(new Date(firedAt + 31 * DayMs));
    assert.deepEqual(await stored(), fired.slice(2), 'the two oldest went, one batch');
    await sweep.tick(new Date(firedAt + 31 * DayMs));
    assert.deepEqual(await stored(), []);

    const replay = await gameplay.call('GET', Paths.replay(fired[0] as string), me.token);
    assert.equal(replay.status, 404);
    const fresh = await gameplay.call('POST', Paths.simulate, me.token, shot(me));
    assert.equal(fresh.status, 200);
    await sweep.tick(new Date(firedAt + 31 * DayMs));
    assert.deepEqual(await stored(), [], 'what was fired at tick time is as old as the tick says');
  });
});
