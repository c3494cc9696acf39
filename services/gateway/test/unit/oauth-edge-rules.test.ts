import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isOpenPath,
  isPublicRoute,
  type RequestFacts,
  rateIdentity,
  rateRules,
} from '../../src/domain/access-rules.ts';

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

  it('opens a public path to every method (the service answers 405), and no other path', () => {
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'];
    const paths = [
      '/api/v1/auth/token',
      '/api/v1/auth/logout',
      '/health',
      '/docs/specs/auth.json',
      '/.well-known/jwks.json',
      '/api/v1/characters/reference',
      '/api/v1/characters/x',
      '/api/v1/world/districts',
      '/documents',
    ];
    for (const path of paths) {
      const open = methods.some((method) => isPublicRoute(method, path));
      for (const method of methods) {
        assert.equal(isOpenPath(path), open, `${method} ${path}`);
        assert.equal(
          isOpenPath(path),
          isPublicRoute(method, path) || isPublicRoute('GET', path) || isPublicRoute('POST', path),
        );
      }
    }
    assert.equal(isOpenPath('/api/v1/characters/x'), false);
    assert.equal(isOpenPath('/api/v1/auth/token'), true);
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
