import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ballisticsConfig } from '../../src/domain/ballistics-config.ts';
import { createRandom, MaxSeed, seedFromText } from '../../src/domain/random.ts';
import { rulesetChange, rulesetFingerprint, rulesetId } from '../../src/domain/ruleset.ts';

const uint32 = (x: number) => x * 4_294_967_296;

describe('seeded random source', () => {
  it('is mulberry32: the published first outputs for seeds 0 and 42', () => {
    // mulberry32(0)() = 0.26642920868471265 = 1144304738 / 2^32; mulberry32(42)() = 2581720956 / 2^32
    const zero = createRandom(0);
    assert.deepEqual([zero.next(), zero.next(), zero.next()].map(uint32), [1144304738, 1416247, 958946056]);
    const answer = createRandom(42);
    assert.deepEqual([answer.next(), answer.next(), answer.next()].map(uint32), [2581720956, 1925393290, 3661312704]);
    const top = createRandom(MaxSeed);
    assert.deepEqual([top.next(), top.next(), top.next()].map(uint32), [3850105811, 813802916, 3073704848]);
  });
  it('stays in [0, 1) and spreads over it', () => {
    const random = createRandom(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i += 1) {
      const x = random.next();
      assert.ok(x >= 0 && x < 1);
      buckets[Math.floor(x * 10)] = (buckets[Math.floor(x * 10)] ?? 0) + 1;
    }
    for (const count of buckets) assert.ok(count > 1_700 && count < 2_300, `bucket of ${count}`);
  });
  it('takes unsigned 32-bit integer seeds only', () => {
    for (const seed of [-1, 1.5, 2 ** 32, Number.NaN]) assert.throws(() => createRandom(seed), RangeError);
  });
  it('seeds from text with 32-bit FNV-1a (published vectors)', () => {
    assert.equal(seedFromText(''), 0x811c9dc5);
    assert.equal(seedFromText('a'), 0xe40c292c);
    assert.equal(seedFromText('foobar'), 0xbf9cf968);
  });
});

describe('ruleset identity', () => {
  it('names the version and fingerprints the numbers', () => {
    const id = rulesetId();
    assert.equal(id.version, 'ballistics-1');
    assert.match(id.fingerprint, /^[0-9a-f]{8}$/);
    assert.equal(rulesetFingerprint(structuredClone(ballisticsConfig)), id.fingerprint);
    assert.equal(rulesetChange(id), 'same');
  });
  it('notices a changed number even when the version was not bumped', () => {
    const tuned = structuredClone(ballisticsConfig);
    tuned.hit.base = 0.72;
    assert.notEqual(rulesetFingerprint(tuned), rulesetFingerprint());
    assert.equal(rulesetChange(rulesetId(), tuned), 'changed');
    assert.equal(rulesetChange({ ...rulesetId(), version: 'ballistics-0' }), 'changed');
  });
});
