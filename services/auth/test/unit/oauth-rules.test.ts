import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  basicCredentials,
  ConfidentialClientGrants,
  mayUseTokenOf,
  type OAuthClient,
  PublicClientGrants,
  requestCredentials,
} from '../../src/domain/clients.ts';
import { afterFailure, callerAddress, lockoutSource } from '../../src/domain/lockout.ts';

const minute = 60_000;
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * minute);

describe('client rules', () => {
  const game: OAuthClient = { id: 'necp-game', kind: 'public', grants: PublicClientGrants };
  const economy: OAuthClient = { id: 'economy-service', kind: 'confidential', grants: ConfidentialClientGrants };

  it('a token serves the client it was issued to; a request naming none only a public client', () => {
    assert.equal(mayUseTokenOf({ kind: 'client', client: game }, game), true);
    assert.equal(mayUseTokenOf({ kind: 'client', client: economy }, game), false);
    assert.equal(mayUseTokenOf({ kind: 'client', client: game }, economy), false);
    assert.equal(mayUseTokenOf({ kind: 'anonymous' }, game), true);
    assert.equal(mayUseTokenOf({ kind: 'anonymous' }, economy), false);
    assert.equal(mayUseTokenOf({ kind: 'anonymous' }, undefined), false, 'a client no longer registered');
  });

  it('reads Basic credentials as RFC 6749 §2.3.1 encodes them, and nothing else as Basic', () => {
    const encode = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
    assert.deepEqual(basicCredentials(encode('economy-service:s3cr%3At+x')), {
      id: 'economy-service',
      secret: 's3cr:t x',
    });
    assert.equal(basicCredentials(undefined), undefined);
    assert.equal(basicCredentials('Bearer abc.def.ghi'), undefined);
    assert.equal(basicCredentials('Basic'), 'malformed');
    assert.equal(basicCredentials('Basic !!!'), 'malformed');
    assert.equal(basicCredentials(encode('no-colon')), 'malformed');
    assert.equal(basicCredentials(encode(':secret')), 'malformed');
    assert.equal(basicCredentials(encode('id:%E0%A4%A')), 'malformed', 'broken percent-encoding');
  });

  it('allows one authentication method per request', () => {
    const basic = { id: 'economy-service', secret: 's' };
    const none = { clientId: undefined, clientSecret: undefined };
    assert.deepEqual(requestCredentials(basic, none), { id: 'economy-service', secret: 's' });
    assert.deepEqual(requestCredentials(basic, { clientId: 'economy-service', clientSecret: undefined }), {
      id: 'economy-service',
      secret: 's',
    });
    assert.equal(requestCredentials(basic, { clientId: 'other', clientSecret: undefined }), undefined);
    assert.equal(requestCredentials(basic, { clientId: undefined, clientSecret: 's' }), undefined);
    assert.deepEqual(requestCredentials(undefined, { clientId: 'necp-game', clientSecret: undefined }), {
      id: 'necp-game',
      secret: undefined,
    });
  });
});

describe('lockout rules', () => {
  it('doubles each lock after the first, up to the maximum', () => {
    const policy = { threshold: 3, lockoutMs: 15 * minute, maxLockoutMs: 60 * minute };
    assert.equal(afterFailure(2, policy, at(0)).lockedUntil, undefined);
    assert.deepEqual(afterFailure(3, policy, at(0)).lockedUntil, at(15));
    assert.deepEqual(afterFailure(4, policy, at(0)).lockedUntil, at(30));
    assert.deepEqual(afterFailure(5, policy, at(0)).lockedUntil, at(60));
    assert.deepEqual(afterFailure(6, policy, at(0)).lockedUntil, at(60));
    assert.deepEqual(afterFailure(10_000, policy, at(0)).lockedUntil, at(60), 'no overflow');
  });

  it('counts an IPv4 address as itself and an IPv6 one by its /64', () => {
    assert.equal(lockoutSource('203.0.113.7'), '203.0.113.7');
    assert.equal(lockoutSource('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(lockoutSource('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(lockoutSource('2001:DB8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(lockoutSource('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(lockoutSource('::1'), '0:0:0:0::/64');
    assert.equal(lockoutSource('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(lockoutSource(null), 'unknown');
    assert.equal(lockoutSource('not an address'), 'unknown');
  });

  it('believes X-Forwarded-For only from a trusted proxy, and only the address that proxy added', () => {
    const gateway = ['127.0.0.1', '::1'];
    assert.equal(callerAddress('127.0.0.1', '198.51.100.7', gateway), '198.51.100.7');
    assert.equal(callerAddress('::ffff:127.0.0.1', '198.51.100.7', gateway), '198.51.100.7');
    assert.equal(callerAddress('127.0.0.1', '10.0.0.1, 198.51.100.7', gateway), '198.51.100.7', 'the last hop');
    assert.equal(callerAddress('127.0.0.1', ['10.0.0.1', '198.51.100.7'], gateway), '198.51.100.7');
    assert.equal(callerAddress('203.0.113.9', '198.51.100.7', gateway), '203.0.113.9', 'anyone may send the header');
    assert.equal(callerAddress('127.0.0.1', '198.51.100.7', []), '127.0.0.1', 'no proxy trusted');
    assert.equal(callerAddress('127.0.0.1', undefined, gateway), '127.0.0.1');
    assert.equal(callerAddress('127.0.0.1', 'not-an-address', gateway), '127.0.0.1');
  });
});
