import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { repeatEvery } from '../../src/repeat.ts';

describe('repeatEvery', () => {
  it('runs one at a time, carries on after a failure, and stop waits for the run in progress', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    let finished = 0;
    const errors: unknown[] = [];
    const repeating = repeatEvery(
      5,
      async () => {
        runs++;
        active++;
        most = Math.max(most, active);
        await sleep(30);
        active--;
        finished++;
        if (runs === 1) throw new Error('first run fails');
      },
      (error) => errors.push(error),
    );
    await sleep(120);
    await repeating.stop();
    const afterStop = runs;
    await sleep(30);
    assert.equal(most, 1, 'never two runs at once');
    assert.ok(runs >= 2, `ran again after the failure (${runs} runs)`);
    assert.equal(errors.length, 1);
    assert.equal(finished, runs, 'stop waited for the run in progress');
    assert.equal(runs, afterStop, 'no run after stop');
  });

  it('runNow shares a run in progress instead of starting a second one', async () => {
    let runs = 0;
    const repeating = repeatEvery(
      60_000,
      async () => {
        runs++;
        await sleep(20);
      },
      () => undefined,
    );
    await Promise.all([repeating.runNow(), repeating.runNow()]);
    assert.equal(runs, 1);
    await repeating.stop();
  });
});
