import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDenyList, issuedBeforeBan } from '../../src/auth/deny-list.ts';
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

describe('deny-list: bans and token age', () => {
  it('refuses tokens issued in a second before the ban, for good, and accepts those of later seconds', async () => {
    const cache = new MemoryCache();
    const denyList = createDenyList(cache, { entryTtlMs: 60_000, skewMs: 0 });
    const at = new Date('2031-01-01T12:00:00.400Z');
    await denyList.banAccount('a', undefined, at);
    assert.equal(await denyList.check({ accountId: 'a', sessionId: undefined }), 'banned', 'while the ban lasts');
    await denyList.unbanAccount('a');
    const issued = (iso: string) => ({ accountId: 'a', sessionId: undefined, issuedAt: new Date(iso) });
    assert.equal(await denyList.check(issued('2031-01-01T11:59:59Z')), 'revoked', 'issued before the ban');
    assert.equal(await denyList.check(issued('2031-01-01T11:45:00Z')), 'revoked');
    // iat is whole seconds: a token of the ban's own second may be one issued after an unban (one
    // issued before the ban in that second belongs to a session the ban ended).
    assert.equal(await denyList.check(issued('2031-01-01T12:00:00Z')), undefined);
    assert.equal(await denyList.check(issued('2031-01-01T12:00:01Z')), undefined, 'issued after the unban');
    assert.equal(await denyList.check({ accountId: 'b', sessionId: undefined, issuedAt: new Date(0) }), undefined);
    await cache.close();
  });

  it("compares whole seconds: the token of the ban's own second is not the ban's", () => {
    assert.equal(issuedBeforeBan(new Date('2031-01-01T12:00:00Z'), Date.parse('2031-01-01T12:00:01.999Z')), true);
    assert.equal(issuedBeforeBan(new Date('2031-01-01T12:00:01Z'), Date.parse('2031-01-01T12:00:01.999Z')), false);
  });
});
