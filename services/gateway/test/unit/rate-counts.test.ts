import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryCache } from '@necp/platform';
import { rateRules } from '../../src/domain/access-rules.ts';
import { SharedTallies } from '../../src/routes/rate-counts.ts';

const MINUTE = 60_000;

describe('rate counts shared between gateway replicas in batches', () => {
  it('counts in memory between syncs, and each replica learns the others’ counts at a sync', async () => {
    const cache = new MemoryCache();
    let now = 1_000_000;
    const first = new SharedTallies(cache, { syncMs: 0, now: () => now });
    const second = new SharedTallies(cache, { syncMs: 0, now: () => now });
    for (let index = 0; index < 5; index++) first.count('account:a', MINUTE);
    assert.equal(second.count('account:a', MINUTE).current, 1);
    await first.sync();
    await second.sync();
    assert.equal(await cache.get('ratelimit:account:a'), '6');
    // The second synced after the first's five were shared; the first learns of the second's one
    // at its next sync.
    assert.equal(second.count('account:a', MINUTE).current, 7);
    assert.equal(first.count('account:a', MINUTE).current, 6);
    await Promise.all([first.sync(), second.sync()]);
    assert.equal(await cache.get('ratelimit:account:a'), '8');
    assert.equal(first.count('account:a', MINUTE).current, 8);
    // Another key is its own count.
    assert.equal(first.count('account:b', MINUTE).current, 1);
    now += 10_000;
    // The window's end is the shared counter's (read at the sync): 50 s left, give or take the cache's clock.
    const { ttlMs } = first.count('account:a', MINUTE);
    assert.ok(ttlMs > 49_000 && ttlMs <= 50_000, String(ttlMs));
    await first.close();
    await second.close();
    await cache.close();
  });

  it('starts a new window once the old one ended', async () => {
    const cache = new MemoryCache();
    let now = 0;
    const tallies = new SharedTallies(cache, { syncMs: 0, now: () => now });
    tallies.count('public-ip:1.2.3.4', MINUTE);
    tallies.count('public-ip:1.2.3.4', MINUTE);
    now = MINUTE;
    assert.deepEqual(tallies.count('public-ip:1.2.3.4', MINUTE), { current: 1, ttlMs: MINUTE });
    await tallies.close();
    await cache.close();
  });

  it('keeps the counts a failed sync could not share, and adds them at the next', async () => {
    const cache = new MemoryCache();
    let failing = true;
    const flaky = Object.assign(Object.create(cache) as MemoryCache, {
      increment: (key: string, by?: number, ttlMs?: number) =>
        failing ? Promise.reject(new Error('cache away')) : cache.increment(key, by, ttlMs),
    });
    const tallies = new SharedTallies(flaky, { syncMs: 0 });
    tallies.count('account:a', MINUTE);
    tallies.count('account:a', MINUTE);
    await assert.rejects(tallies.sync(), /cache away/);
    assert.equal(tallies.count('account:a', MINUTE).current, 3);
    failing = false;
    await tallies.sync();
    assert.equal(await cache.get('ratelimit:account:a'), '3');
    await tallies.close();
    await cache.close();
  });

  it('batches only the rules every request meets; the small per-route limits count exactly', () => {
    const rules = rateRules({
      publicPerIpPerMinute: 300,
      accountPerMinute: 1200,
      loginPerMinute: 10,
      simulationsPerCharacterPerMinute: 180,
      craftingJobsPerCharacterPerMinute: 60,
      worldImpactsPerMinute: 60,
    });
    assert.deepEqual(
      rules.filter((rule) => rule.batched).map((rule) => rule.name),
      ['public-ip', 'account'],
    );
  });
});
