import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAccessToken, rolesOf, TokenRejectedError, toAuthContext } from '../../src/auth/claims.ts';

describe('token claims', () => {
  it('reads roles from `roles` and from Keycloak realm_access.roles', () => {
    assert.deepEqual(rolesOf({ roles: ['player', 'admin'] }), ['player', 'admin']);
    assert.deepEqual(rolesOf({ realm_access: { roles: ['arbiter', 'offline_access'] } }), [
      'arbiter',
      'offline_access',
    ]);
    assert.deepEqual(rolesOf({ roles: ['player'], realm_access: { roles: ['player', 'moderator'] } }), [
      'player',
      'moderator',
    ]);
    assert.deepEqual(rolesOf({ roles: 'admin' }), []);
  });

  it('accepts the three access-token conventions and nothing else', () => {
    assert.equal(isAccessToken({ alg: 'RS256', typ: 'at+jwt' }, {}), true);
    assert.equal(isAccessToken({ alg: 'RS256', typ: 'JWT' }, { typ: 'Bearer' }), true);
    assert.equal(isAccessToken({ alg: 'RS256' }, { token_use: 'access' }), true);
    assert.equal(isAccessToken({ alg: 'RS256', typ: 'JWT' }, { typ: 'ID' }), false);
    assert.equal(isAccessToken({ alg: 'RS256', typ: 'JWT' }, { typ: 'Refresh' }), false);
    assert.equal(isAccessToken({ alg: 'RS256', typ: 'JWT' }, {}), false);
  });

  it('builds the identity and refuses tokens without a subject', () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const auth = toAuthContext('t', { alg: 'RS256', typ: 'at+jwt' }, { sub: 'a', sid: 's', roles: ['player'], exp });
    assert.equal(auth.accountId, 'a');
    assert.equal(auth.sessionId, 's');
    assert.deepEqual(auth.roles, ['player']);
    assert.throws(() => toAuthContext('t', { alg: 'RS256', typ: 'at+jwt' }, { exp }), TokenRejectedError);
    assert.throws(() => toAuthContext('t', { alg: 'RS256', typ: 'JWT' }, { sub: 'a', exp, typ: 'ID' }), {
      reason: 'not-access-token',
    });
  });
});
