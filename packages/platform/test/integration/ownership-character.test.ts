import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Cache } from '../../src/cache/cache.ts';
import {
  characterOwnerCacheKey,
  characterServiceClient,
  createCharacterOwnership,
  ownerLookupVia,
} from '../../src/ownership/character-ownership.ts';
import { AppError } from '../../src/problem.ts';
import { createTestCache, realRedisUrl } from '../../src/testing.ts';

/** A stand-in for character-service's internal endpoint: owners by character id, hits counted. */
const owners = new Map<string, string>();
let hits = 0;
let lastAuthorization: string | undefined;
let failWith: number | undefined;
let server: Server;
let baseUrl: string;
let cache: Cache;

before(async () => {
  server = createServer((request, response) => {
    hits += 1;
    lastAuthorization = request.headers.authorization;
    const id = request.url?.split('/').at(-1) ?? '';
    response.setHeader('content-type', 'application/json');
    if (failWith) {
      response.statusCode = failWith;
      response.end('{}');
      return;
    }
    const owner = owners.get(id);
    response.statusCode = owner ? 200 : 404;
    response.end(JSON.stringify(owner ? { characterId: id, accountId: owner } : { code: 'NOT_FOUND' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cache = createTestCache();
});
after(async () => {
  await cache.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  hits = 0;
  failWith = undefined;
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'OK';
}

async function failureOf(promise: Promise<unknown>): Promise<[string, number]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return [error.code, error.status];
    throw error;
  }
  return ['OK', 200];
}

function ownership(ttlMs = 60_000) {
  return createCharacterOwnership({
    cache,
    ttlMs,
    notFoundTtlMs: ttlMs,
    lookup: ownerLookupVia(characterServiceClient({ baseUrl, authorization: async () => 'Bearer service-token' })),
  });
}

describe(`character ownership (${realRedisUrl ? 'redis' : 'memory'} cache)`, () => {
  it('says whose a character is: owned, another account (403), absent (404)', async () => {
    const check = ownership();
    const characterId = randomUUID();
    const accountId = randomUUID();
    owners.set(characterId, accountId);
    assert.equal(await codeOf(check.assertOwned(accountId, characterId)), 'OK');
    assert.equal(await codeOf(check.assertOwned(randomUUID(), characterId)), 'CHARACTER_NOT_OWNED');
    assert.equal(await codeOf(check.assertOwned(accountId, randomUUID())), 'NOT_FOUND');
    assert.equal(lastAuthorization, 'Bearer service-token', 'asks with the service token');
    assert.equal(await codeOf(check.assertOwned(accountId, 'not-a-uuid')), 'NOT_FOUND');
    assert.equal(hits, 2, 'one lookup per character, none for a malformed id');
  });

  it('caches answers, shares one lookup among concurrent checks, and forgets on invalidate', async () => {
    const check = ownership();
    const characterId = randomUUID();
    const accountId = randomUUID();
    owners.set(characterId, accountId);
    await Promise.all(Array.from({ length: 10 }, () => check.assertOwned(accountId, characterId)));
    assert.equal(hits, 1);
    await check.assertOwned(accountId, characterId);
    assert.equal(hits, 1, 'served from the cache');
    owners.delete(characterId);
    // UUIDs are case-insensitive: the id as a client wrote it must clear the entry all others read.
    await check.invalidate(characterId.toUpperCase());
    assert.equal(
      await codeOf(check.assertOwned(accountId, characterId)),
      'NOT_FOUND',
      'a deleted character stops being owned',
    );
    assert.equal(hits, 2);
    assert.equal(await cache.get(characterOwnerCacheKey(characterId)), '-');
  });

  it('asks again once the short TTL has passed', async () => {
    const check = ownership(150);
    const characterId = randomUUID();
    const accountId = randomUUID();
    owners.set(characterId, accountId);
    await check.assertOwned(accountId, characterId);
    owners.delete(characterId);
    assert.equal(await codeOf(check.assertOwned(accountId, characterId)), 'OK', 'still cached');
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(await codeOf(check.assertOwned(accountId, characterId)), 'NOT_FOUND');
  });

  it('answers 502 when character-service fails, 503 when it cannot be reached, and caches nothing then', async () => {
    const characterId = randomUUID();
    owners.set(characterId, randomUUID());
    failWith = 500;
    assert.deepEqual(await failureOf(ownership().assertOwned(randomUUID(), characterId)), [
      'UPSTREAM_UNAVAILABLE',
      502,
    ]);
    assert.equal(await cache.get(characterOwnerCacheKey(characterId)), null);
    const unreachable = createCharacterOwnership({
      cache,
      lookup: ownerLookupVia(characterServiceClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 })),
    });
    const absent = randomUUID();
    assert.deepEqual(await failureOf(unreachable.assertOwned(randomUUID(), absent)), ['UPSTREAM_UNAVAILABLE', 503]);
    assert.equal(await cache.get(characterOwnerCacheKey(absent)), null);
  });
});
