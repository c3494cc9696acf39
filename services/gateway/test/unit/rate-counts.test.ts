import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, MemoryCache } from '@necp/platform';
import { type RateRule, rateRules } from '../../src/domain/access-rules.ts';
import { EdgeRates } from '../../src/routes/edge-rates.ts';
import { type RateCount, SharedTallies } from '../../src/routes/rate-counts.ts';
import type { GatewaySettings } from '../../src/settings.ts';

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

describe('the per-account limit the front door counts itself', () => {
  const settings = {
    RATE_LIMIT_PUBLIC_PER_MINUTE: 300,
    RATE_LIMIT_ACCOUNT_PER_MINUTE: 2,
    RATE_LIMIT_LOGIN_PER_MINUTE: 10,
    RATE_LIMIT_SIMULATIONS_PER_MINUTE: 180,
    RATE_LIMIT_CRAFTING_JOBS_PER_MINUTE: 60,
    RATE_LIMIT_WORLD_IMPACTS_PER_MINUTE: 60,
    RATE_LIMIT_SYNC_INTERVAL_MS: 10_000,
  } as GatewaySettings;

  it('counts up to the limit with its headers, then counts nothing and leaves the refusal to the edge', async () => {
    const cache = new MemoryCache();
    const rates = new EdgeRates({ cache, logger: createLogger('gateway-test', 'silent') }, settings);
    assert.deepEqual(rates.countAccountWithin('a'), {
      'ratelimit-limit': '2',
      'ratelimit-remaining': '1',
      'ratelimit-reset': '60',
    });
    assert.equal(rates.countAccountWithin('a')?.['ratelimit-remaining'], '0');
    assert.equal(rates.countAccountWithin('a'), undefined);
    assert.equal(rates.countAccountWithin('a'), undefined);
    // The edge then counts the refused request once: the third of the window, not the fifth.
    const account = rates.rulesOf.account.find((rule) => rule.name === 'account') as RateRule;
    assert.equal((rates.count(account, 'a') as RateCount).current, 3);
    assert.equal(rates.countAccountWithin('b')?.['ratelimit-remaining'], '1', 'each account its own count');
    await rates.close();
    await cache.close();
  });

  it('takes only the requests no per-route rule applies to', async () => {
    const cache = new MemoryCache();
    const rates = new EdgeRates({ cache, logger: createLogger('gateway-test', 'silent') }, settings);
    assert.equal(rates.accountRuleAlone('POST', '/api/v1/economy/transfers'), true);
    assert.equal(rates.accountRuleAlone('GET', '/api/v1/economy/crafting/jobs'), true);
    assert.equal(rates.accountRuleAlone('POST', '/api/v1/economy/crafting/jobs'), false);
    assert.equal(rates.accountRuleAlone('POST', '/api/v1/world/impact/apply'), false);
    assert.equal(rates.accountRuleAlone('POST', '/api/v1/gameplay/combat/ballistics/simulate'), false);
    await rates.close();
    await cache.close();
  });
});
