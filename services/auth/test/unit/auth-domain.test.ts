import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canBan, isBanned, normalizeRoles, passwordProblem, removesRole } from '../../src/domain/accounts.ts';
import { keyPlan, publishedKeys, signingKey } from '../../src/domain/keys.ts';
import { afterFailure, lockoutSubject } from '../../src/domain/lockout.ts';

const minute = 60_000;
const policy = {
  rotationMs: 60 * minute,
  prepublishMs: 5 * minute,
  accessTokenTtlMs: 15 * minute,
  clockSkewMs: minute,
};
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * minute);

describe('key rotation plan', () => {
  it('creates a key at once when none signs, then pre-publishes the successor', () => {
    const first = keyPlan([], at(0), policy);
    assert.equal(first.create.length, 1);
    const key = { kid: 'a', ...(first.create[0] ?? assert.fail()) };
    assert.equal(signingKey([key], at(1))?.kid, 'a');
    assert.equal(keyPlan([key], at(30), policy).create.length, 0);
    const next = keyPlan([key], at(56), policy).create;
    assert.equal(next.length, 1);
    assert.deepEqual(next[0]?.notBefore, key.notAfter);
    const successor = { kid: 'b', ...(next[0] ?? assert.fail()) };
    assert.equal(signingKey([key, successor], at(59))?.kid, 'a');
    assert.equal(signingKey([key, successor], at(60))?.kid, 'b');
    assert.deepEqual(
      publishedKeys([key, successor], at(70)).map((k) => k.kid),
      ['a', 'b'],
      'old key kept for its tokens',
    );
    assert.deepEqual(
      publishedKeys([key, successor], at(77)).map((k) => k.kid),
      ['b'],
    );
    assert.deepEqual(keyPlan([key, successor], at(77), policy).expired, ['a']);
  });
});

describe('account rules', () => {
  it('password policy: length and two character classes', () => {
    assert.ok(passwordProblem('short1A'));
    assert.ok(passwordProblem('alllowercaseletters'));
    assert.equal(passwordProblem('lowercase-and-dash'), undefined);
    assert.ok(passwordProblem('x'.repeat(129)));
  });

  it('roles always include player; removing a role is detected', () => {
    assert.deepEqual(normalizeRoles(['admin', 'bogus']), ['player', 'admin']);
    assert.equal(removesRole(['player', 'admin'], ['player']), true);
    assert.equal(removesRole(['player'], ['player', 'admin']), false);
  });

  it('bans lapse at their end; moderators cannot ban staff; nobody bans themselves', () => {
    assert.equal(isBanned({ status: 'banned', bannedUntil: at(10) }, at(5)), true);
    assert.equal(isBanned({ status: 'banned', bannedUntil: at(10) }, at(11)), false);
    assert.equal(isBanned({ status: 'banned', bannedUntil: null }, at(11)), true);
    const mod = { id: 'm', roles: ['player', 'moderator'] };
    assert.equal(canBan(mod, { id: 'p', roles: ['player'] }), true);
    assert.equal(canBan(mod, { id: 'a', roles: ['player', 'admin'] }), false);
    assert.equal(canBan({ id: 'a', roles: ['admin'] }, { id: 'a', roles: ['admin'] }), false);
  });

  it('lockout counts per account or per unknown login, and locks at the threshold', () => {
    assert.equal(lockoutSubject('id', 'x'), 'account:id');
    assert.equal(lockoutSubject(undefined, ' Ghost '), 'login:ghost');
    const lock = { threshold: 5, lockoutMs: 15 * minute };
    assert.equal(afterFailure(4, lock, at(0)).lockedUntil, undefined);
    assert.deepEqual(afterFailure(5, lock, at(0)).lockedUntil, at(15));
  });
});
