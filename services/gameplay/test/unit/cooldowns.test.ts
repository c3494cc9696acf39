import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chainCutsCooldown,
  cooldownEndsAt,
  cooldownRemainingSeconds,
  cutCooldownAfterRicochet,
  isOnCooldown,
} from '../../src/domain/cooldowns.ts';

const nowMs = Date.UTC(2026, 0, 1, 12);

describe('cooldown arithmetic', () => {
  it('ends the given game seconds from now, scaled by TIME_SCALE', () => {
    assert.equal(cooldownEndsAt({ nowMs }, 15), nowMs + 15_000);
    assert.equal(cooldownEndsAt({ nowMs, timeScale: 60 }, 15), nowMs + 250);
    assert.throws(() => cooldownEndsAt({ nowMs, timeScale: 0 }, 15), RangeError);
  });
  it('runs while its end is ahead; over at its end', () => {
    assert.equal(isOnCooldown(nowMs + 1, nowMs), true);
    assert.equal(isOnCooldown(nowMs, nowMs), false);
    assert.equal(isOnCooldown(nowMs - 1, nowMs), false);
  });
  // [end − now in ms, whole seconds left (rounded up)]
  const remaining: [number, number][] = [
    [15_000, 15],
    [14_001, 15],
    [1, 1],
    [0, 0],
    [-5_000, 0],
  ];
  for (const [left, seconds] of remaining) {
    it(`${left} ms left → ${seconds} s`, () => assert.equal(cooldownRemainingSeconds(nowMs + left, nowMs), seconds));
  }
});

describe('a ricochet chain cuts a running Curved Shot cooldown', () => {
  it('needs 2 bounces or more', () => {
    assert.equal(chainCutsCooldown(1), false);
    assert.equal(chainCutsCooldown(2), true);
    assert.equal(chainCutsCooldown(3), true);
  });
  // [case, end − now (ms) or null, bounces, new end − now (ms) or null, arithmetic]
  const table: [string, number | null, number, number | null, string][] = [
    ['2 bounces, 15 s left', 15_000, 2, 10_000, '15 − 5'],
    ['3 bounces, 12 s left', 12_000, 3, 7_000, '12 − 5'],
    ['1 bounce', 15_000, 1, 15_000, 'no cut'],
    ['0 bounces', 15_000, 0, 15_000, 'no cut'],
    ['5 s left exactly', 5_000, 2, 0, '5 − 5: ends now'],
    ['3 s left', 3_000, 2, 0, '3 − 5 → ends now, no banked time'],
    ['cooldown over', 0, 2, 0, 'not running: unchanged'],
    ['cooldown long over', -4_000, 2, -4_000, 'not running: unchanged'],
    ['no cooldown', null, 2, null, 'nothing to cut'],
  ];
  for (const [name, left, bounces, expected, arithmetic] of table) {
    it(`${name} → ${arithmetic}`, () => {
      const cut = cutCooldownAfterRicochet(left === null ? null : nowMs + left, bounces, { nowMs });
      assert.equal(cut, expected === null ? null : nowMs + expected);
    });
  }
  it('cuts 5 game seconds: 1 real second at TIME_SCALE 5', () => {
    assert.equal(cutCooldownAfterRicochet(nowMs + 3_000, 2, { nowMs, timeScale: 5 }), nowMs + 2_000);
  });
});
