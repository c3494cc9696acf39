import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reuseOf, successorKey, successorOf } from '../../src/domain/refresh-reuse.ts';
import { hashToken } from '../../src/domain/secrets.ts';

describe('refresh-token reuse', () => {
  const usedAt = new Date('2031-01-01T12:00:00.000Z');
  const after = (ms: number) => new Date(usedAt.getTime() + ms);

  it('is a retry inside the grace window and a replay from its end on', () => {
    assert.equal(reuseOf(usedAt, after(0), 5), 'retry');
    assert.equal(reuseOf(usedAt, after(4_999), 5), 'retry');
    assert.equal(reuseOf(usedAt, after(5_000), 5), 'replay');
    assert.equal(reuseOf(usedAt, after(60_000), 5), 'replay');
    assert.equal(reuseOf(usedAt, after(0), 0), 'replay', 'a window of 0 turns retries off');
  });

  it('derives one successor per token and key, which only the key can compute', () => {
    const key = successorKey('a-secret-of-at-least-thirty-two-characters');
    const first = successorOf(key, 'token-1');
    assert.deepEqual(successorOf(key, 'token-1'), first, 'a retry gets the same successor');
    assert.equal(first.hash, hashToken(first.token));
    assert.notEqual(successorOf(key, 'token-2').token, first.token);
    const other = successorKey('another-secret-of-at-least-thirty-two-chars');
    assert.notEqual(successorOf(other, 'token-1').token, first.token);
    assert.match(first.token, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url, like a fresh refresh token');
  });
});
