import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDenyList } from '../../src/auth/deny-list.ts';
import { MemoryCache } from '../../src/cache/cache.ts';

describe('deny-list', () => {
  it('denies revoked sessions and banned accounts, and forgets entries after the token lifetime', async () => {
    const cache = new MemoryCache();
    const denyList = createDenyList(cache, { entryTtlMs: 40, skewMs: 0 });
    assert.equal(await denyList.check({ accountId: 'a', sessionId: 's' }), undefined);
    await denyList.revokeSession('s');
    assert.equal(await denyList.check({ accountId: 'a', sessionId: 's' }), 'revoked');
    assert.equal(await denyList.check({ accountId: 'a', sessionId: 'other' }), undefined);
    await denyList.banAccount('b');
    assert.equal(await denyList.check({ accountId: 'b', sessionId: undefined }), 'banned');
    await denyList.unbanAccount('b');
    assert.equal(await denyList.check({ accountId: 'b', sessionId: undefined }), undefined);
    assert.ok((await cache.ttl('auth:deny:session:s')) <= 40);
    await sleep(60);
    assert.equal(await denyList.check({ accountId: 'a', sessionId: 's' }), undefined);
    await cache.close();
  });

  it('keeps a short ban only until it ends and ignores one already over', async () => {
    const cache = new MemoryCache();
    const denyList = createDenyList(cache, { entryTtlMs: 60_000, skewMs: 0 });
    await denyList.banAccount('a', new Date(Date.now() + 1000));
    const ttl = await cache.ttl('auth:deny:account:a');
    assert.ok(ttl > 0 && ttl <= 1000);
    await denyList.banAccount('b', new Date(Date.now() - 1000));
    assert.equal(await denyList.check({ accountId: 'b', sessionId: undefined }), undefined);
    await cache.close();
  });
});
