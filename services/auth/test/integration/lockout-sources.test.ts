/**
 * The login lockout cannot be turned against an account's owner: failures count per account and
 * source, locks grow with each failure after one ran out, staff lift them, and an unknown name is
 * answered exactly like a known one. The test client is on loopback, a trusted proxy by default, so
 * X-Forwarded-For stands in for the gateway naming each caller's address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdminPassword, type AuthUnderTest, call, startAuth, uniqueUser } from '../harness.ts';

const Threshold = 3;
const FirstLockSeconds = 60;
const MaxLockSeconds = 300;

let auth: AuthUnderTest;
before(async () => {
  auth = await startAuth({
    AUTH_LOCKOUT_THRESHOLD: String(Threshold),
    AUTH_LOCKOUT_SECONDS: String(FirstLockSeconds),
    AUTH_LOCKOUT_MAX_SECONDS: String(MaxLockSeconds),
  });
});
after(() => auth.close());

let addresses = 0;
/** A caller address no other test uses. */
function newAddress(): string {
  addresses += 1;
  return `198.51.${Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
}

const login = (name: string, password: string, from: string) =>
  call(auth.url, 'POST', '/api/v1/auth/login', {
    body: { login: name, password },
    headers: { 'x-forwarded-for': from },
  });
const tokenGrant = (name: string, password: string, from: string) =>
  call(auth.url, 'POST', '/api/v1/auth/token', {
    form: { grant_type: 'password', username: name, password },
    headers: { 'x-forwarded-for': from },
  });

async function registered() {
  const user = uniqueUser('k');
  const created = await call<{ accountId: string }>(auth.url, 'POST', '/api/v1/auth/register', { body: user });
  assert.equal(created.status, 201);
  return { ...user, accountId: created.body.accountId };
}

async function lockOut(name: string, from: string) {
  for (let attempt = 1; attempt < Threshold; attempt += 1) {
    assert.equal((await login(name, 'Wrong-password-1', from)).status, 401);
  }
  const locked = await login(name, 'Wrong-password-1', from);
  assert.equal(locked.status, 423, JSON.stringify(locked.body));
  return locked;
}

/** Seconds from now until the lock an answer names. */
function lockSeconds(answer: { body: Record<string, unknown> }): number {
  return (new Date(String(answer.body.lockedUntil)).getTime() - Date.now()) / 1000;
}

/** As if the source's current lock on the account had run out: its stored end moved into the past. */
async function expireLock(accountId: string, from: string) {
  const key = `auth:login-lock:account:${accountId}:0:${from}`;
  assert.ok(await auth.runtime.cache.get(key), 'the lock is where the test expects it');
  await auth.runtime.cache.set(key, new Date(Date.now() - 1000).toISOString(), 60_000);
}

describe('lockout per account and source', () => {
  it('locks the guessing address out, never the owner elsewhere: staff stay reachable', async () => {
    const attacker = newAddress();
    const locked = await lockOut('admin', attacker);
    assert.equal(locked.body.code, 'ACCOUNT_LOCKED');
    assert.equal((await login('admin', AdminPassword, attacker)).status, 423, 'the right password too, from there');
    const viaToken = await tokenGrant('admin', AdminPassword, attacker);
    assert.equal(viaToken.status, 423);
    assert.equal(viaToken.body.error, 'invalid_grant');
    assert.equal(viaToken.body.code, 'ACCOUNT_LOCKED');
    assert.match(viaToken.headers.get('content-type') ?? '', /^application\/json/);
    assert.ok(Number(viaToken.headers.get('retry-after')) > 0);
    const owner = await login('admin', AdminPassword, newAddress());
    assert.equal(owner.status, 200, 'the admin signs in from another address');
    const ipv6Neighbour = await login('admin', AdminPassword, '2001:db8:5:6::1');
    assert.equal(ipv6Neighbour.status, 200);
  });

  it('counts an IPv6 network as one source', async () => {
    const user = await registered();
    for (let attempt = 1; attempt <= Threshold; attempt += 1) {
      await login(user.username, 'Wrong-password-1', `2001:db8:aa:bb::${attempt}`);
    }
    assert.equal((await login(user.username, user.password, '2001:db8:aa:bb:ffff::9')).status, 423);
    assert.equal((await login(user.username, user.password, '2001:db8:aa:bc::1')).status, 200);
  });

  it('doubles the lock for each failure after one ran out, up to the maximum; a success starts afresh', async () => {
    const user = await registered();
    const from = newAddress();
    const first = await lockOut(user.username, from);
    assert.ok(Math.abs(lockSeconds(first) - FirstLockSeconds) < 5, `${lockSeconds(first)} s`);
    const lengths: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      await expireLock(user.accountId, from);
      const again = await login(user.username, 'Wrong-password-1', from);
      assert.equal(again.status, 423);
      lengths.push(Math.round(lockSeconds(again) / 10) * 10);
    }
    assert.deepEqual(lengths, [120, 240, MaxLockSeconds]);
    await expireLock(user.accountId, from);
    assert.equal((await login(user.username, user.password, from)).status, 200);
    const fresh = await login(user.username, 'Wrong-password-1', from);
    assert.equal(fresh.status, 401, 'the count started again after the success');
  });

  it('answers an unknown name exactly as a known one, lock included', async () => {
    const user = await registered();
    const ghost = `ghost${Date.now()}`;
    const from = newAddress();
    for (let attempt = 1; attempt <= Threshold + 1; attempt += 1) {
      const known = await login(user.username, 'Wrong-password-1', from);
      const unknown = await login(ghost, 'Wrong-password-1', from);
      assert.equal(known.status, unknown.status);
      const comparable = (body: Record<string, unknown>) => ({
        ...body,
        traceId: '',
        lockedUntil: body.lockedUntil === undefined ? undefined : 'set',
      });
      assert.deepEqual(comparable(known.body), comparable(unknown.body));
      assert.equal(known.status, attempt < Threshold ? 401 : 423);
    }
  });
});

describe('unlocking', () => {
  async function staffToken(): Promise<string> {
    const answer = await login('admin', AdminPassword, newAddress());
    assert.equal(answer.status, 200);
    return String(answer.body.access_token);
  }

  it('lets staff lift every lock on an account, from every source at once', async () => {
    const user = await registered();
    const [one, two] = [newAddress(), newAddress()];
    await lockOut(user.username, one);
    await lockOut(user.username, two);
    const admin = await staffToken();
    const unlocked = await call(auth.url, 'POST', `/api/v1/auth/accounts/${user.accountId}/unlock`, { token: admin });
    assert.equal(unlocked.status, 204, JSON.stringify(unlocked.body));
    assert.equal((await login(user.username, user.password, one)).status, 200);
    assert.equal((await login(user.username, 'Wrong-password-1', two)).status, 401, 'counted afresh');
    assert.equal((await login(user.username, user.password, two)).status, 200);
  });

  it('is staff work, for accounts that exist', async () => {
    const user = await registered();
    const own = await login(user.username, user.password, newAddress());
    const byPlayer = await call(auth.url, 'POST', `/api/v1/auth/accounts/${user.accountId}/unlock`, {
      token: String(own.body.access_token),
    });
    assert.equal(byPlayer.status, 403);
    const missing = await call(auth.url, 'POST', `/api/v1/auth/accounts/${crypto.randomUUID()}/unlock`, {
      token: await staffToken(),
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'NOT_FOUND');
  });
});
