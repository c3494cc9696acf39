import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPublicRoute, type RequestFacts, rateIdentity, rateRules } from '../../src/domain/access-rules.ts';

const limits = {
  publicPerIpPerMinute: 300,
  accountPerMinute: 1200,
  loginPerMinute: 10,
  simulationsPerCharacterPerMinute: 180,
  craftingJobsPerCharacterPerMinute: 60,
  worldImpactsPerMinute: 60,
};

describe('the edge in front of the OAuth endpoints', () => {
  it('lets RFC 7009 revocation through without a bearer token, as the token endpoint', () => {
    assert.equal(isPublicRoute('POST', '/api/v1/auth/revoke'), true);
    assert.equal(isPublicRoute('POST', '/api/v1/auth/token'), true);
    assert.equal(isPublicRoute('POST', '/api/v1/auth/logout'), false);
  });

  it('counts a login name per address, so no address can keep the name from signing in elsewhere', () => {
    const byName = rateRules(limits).filter((rule) => rule.keyBy === 'login');
    assert.deepEqual(
      byName.map((rule) => rule.name),
      ['login-name', 'token-name'],
    );
    const facts = (ip: string, body: Record<string, unknown>): RequestFacts => ({
      method: 'POST',
      path: '/api/v1/auth/login',
      ip,
      isPublic: true,
      accountId: undefined,
      body,
    });
    for (const rule of byName) {
      const attacker = rateIdentity(rule, facts('203.0.113.9', { login: 'Admin' }));
      const owner = rateIdentity(rule, facts('198.51.100.7', { username: 'admin' }));
      assert.ok(attacker && owner);
      assert.notEqual(attacker, owner);
      assert.equal(rateIdentity(rule, facts('203.0.113.9', { username: 'ADMIN' })), attacker, 'one name, any case');
      assert.equal(rateIdentity(rule, facts('203.0.113.9', {})), undefined);
    }
  });
});
