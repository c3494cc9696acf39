import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestCache } from '../../src/testing.ts';

const cache = createTestCache();

describe(`the ${cache.kind} cache`, () => {
  after(() => cache.close());

  it('stores, reads and deletes values', async () => {
    assert.equal(await cache.get('absent'), null);
    await cache.set('k', 'v');
    assert.equal(await cache.get('k'), 'v');
    assert.deepEqual(await cache.getMany(['k', 'absent', 'k']), ['v', null, 'v']);
    assert.equal(await cache.ttl('k'), -1);
    await cache.delete('k');
    assert.equal(await cache.get('k'), null);
    assert.equal(await cache.ttl('k'), -2);
  });

  it('expires values after their TTL', async () => {
    await cache.set('short', 'v', 80);
    const ttl = await cache.ttl('short');
    assert.ok(ttl > 0 && ttl <= 80, `ttl ${ttl}`);
    await sleep(150);
    assert.equal(await cache.get('short'), null);
  });

  it('increments atomically under concurrency', async () => {
    const counters = await Promise.all(Array.from({ length: 200 }, () => cache.increment('hits', 1, 10_000)));
    assert.equal(await cache.get('hits'), '200');
    assert.deepEqual(
      counters.map((counter) => counter.value).sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, index) => index + 1),
    );
  });

  it('answers what is left of the window with each increment', async () => {
    const opened = await cache.increment('minute', 1, 60_000);
    assert.ok(opened.ttlMs > 50_000 && opened.ttlMs <= 60_000, `ttl ${opened.ttlMs}`);
    await sleep(20);
    const again = await cache.increment('minute', 2, 60_000);
    assert.equal(again.value, 3);
    assert.ok(again.ttlMs < opened.ttlMs, `ttl ${again.ttlMs} after ${opened.ttlMs}`);
    assert.deepEqual(await cache.increment('forever'), { value: 1, ttlMs: -1 });
  });

  it('sets the TTL when a counter is created, not on every increment', async () => {
    // Judged by the TTL left, not by a window closing between two sleeps: a slow machine only makes
    // the gap wider, never the test wrong.
    const opened = await cache.increment('window', 1, 60_000);
    await sleep(20);
    const again = await cache.increment('window', 1, 60_000);
    assert.ok(again.ttlMs <= opened.ttlMs - 10, `ttl ${again.ttlMs} after ${opened.ttlMs}: the increment reset it`);
    await cache.increment('brief', 1, 100);
    await sleep(150);
    assert.equal(await cache.get('brief'), null, 'the window closed 100 ms after it opened');
  });
});
