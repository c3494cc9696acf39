import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AuthUnderTest, call, startAuth } from '../harness.ts';
import { adminTokenOf, ageRefreshTokenUse, registerAndLogin, type Tokens } from '../players.ts';

const GraceSeconds = 5;

let auth: AuthUnderTest;
before(async () => {
  auth = await startAuth({ AUTH_REFRESH_REUSE_GRACE_SECONDS: String(GraceSeconds) });
});
after(() => auth.close());

/** `/me` with the token: the status, and the problem's code when refused. */
async function me(token: string): Promise<string> {
  const reply = await call(auth.url, 'GET', '/api/v1/auth/me', { token });
  return reply.status === 200 ? '200' : `${reply.status} ${String(reply.body.code)}`;
}

const refresh = (token: string) =>
  call<Tokens & { error?: string }>(auth.url, 'POST', '/api/v1/auth/token', {
    form: { grant_type: 'refresh_token', refresh_token: token },
  });

describe('revocations survive restarts (the database keeps them, the cache only caches them)', () => {
  it('keeps refusing the tokens of ended sessions and banned accounts after a restart on an empty cache', async () => {
    const admin = await adminTokenOf(auth.url);
    const loggedOut = await registerAndLogin(auth.url, 'o');
    const revoked = await registerAndLogin(auth.url, 'r');
    const ended = await registerAndLogin(auth.url, 'e');
    const changer = await registerAndLogin(auth.url, 'c');
    const otherDevice = (
      await call<Tokens>(auth.url, 'POST', '/api/v1/auth/login', {
        body: { login: changer.username, password: changer.password },
      })
    ).body;
    const reuser = await registerAndLogin(auth.url, 'u');
    const banned = await registerAndLogin(auth.url, 'b');
    const pardoned = await registerAndLogin(auth.url, 'p');
    const bystander = await registerAndLogin(auth.url, 'k');

    assert.equal(
      (await call(auth.url, 'POST', '/api/v1/auth/logout', { token: loggedOut.tokens.access_token, body: {} })).status,
      204,
    );
    // RFC 7009, as the public game client sends it: the refresh token, no client secret.
    const revocation = await call(auth.url, 'POST', '/api/v1/auth/revoke', {
      form: { token: revoked.tokens.refresh_token },
    });
    assert.equal(revocation.status, 200, JSON.stringify(revocation.body));
    const sessions = await call<{ items: Array<{ sessionId: string }> }>(auth.url, 'GET', '/api/v1/auth/sessions', {
      token: ended.tokens.access_token,
    });
    const [own] = sessions.body.items;
    assert.ok(own);
    const end = await call(auth.url, 'DELETE', `/api/v1/auth/sessions/${own.sessionId}`, {
      token: ended.tokens.access_token,
    });
    assert.equal(end.status, 204);
    const changed = await call(auth.url, 'POST', '/api/v1/auth/password', {
      token: changer.tokens.access_token,
      body: { currentPassword: changer.password, newPassword: 'Another-horse-22' },
    });
    assert.equal(changed.status, 204);
    const rotated = await refresh(reuser.tokens.refresh_token);
    assert.equal(rotated.status, 200);
    await ageRefreshTokenUse(auth, reuser.tokens.refresh_token, GraceSeconds + 1);
    assert.equal((await refresh(reuser.tokens.refresh_token)).status, 400, 'a reuse after the window');
    for (const account of [banned, pardoned]) {
      const ban = await call(auth.url, 'POST', `/api/v1/auth/accounts/${account.accountId}/ban`, {
        token: admin,
        body: { reason: 'cheating' },
      });
      assert.equal(ban.status, 200, JSON.stringify(ban.body));
    }
    const lifted = await call(auth.url, 'DELETE', `/api/v1/auth/accounts/${pardoned.accountId}/ban`, { token: admin });
    assert.equal(lifted.status, 200);
    const back = await call<Tokens>(auth.url, 'POST', '/api/v1/auth/login', {
      body: { login: pardoned.username, password: pardoned.password },
    });
    assert.equal(back.status, 200, 'an unbanned account signs in again');

    const refused = {
      loggedOut: loggedOut.tokens.access_token,
      revoked: revoked.tokens.access_token,
      ended: ended.tokens.access_token,
      otherDevice: otherDevice.access_token,
      reused: rotated.body.access_token,
      pardonedBeforeBan: pardoned.tokens.access_token,
    };
    const accepted = {
      changerOwnSession: changer.tokens.access_token,
      pardonedAfterUnban: back.body.access_token,
      bystander: bystander.tokens.access_token,
    };
    const expect = async (when: string) => {
      for (const [name, token] of Object.entries(refused)) {
        assert.equal(await me(token), '401 TOKEN_REVOKED', `${name} ${when}`);
      }
      for (const [name, token] of Object.entries(accepted)) assert.equal(await me(token), '200', `${name} ${when}`);
    };
    await expect('before the restart');
    assert.equal(await me(banned.tokens.access_token), '403 ACCOUNT_BANNED', 'while the ban lasts');

    // A new instance on the same database with an empty cache: a restart on memory, or Redis that
    // restarted without its data.
    await auth.restart({ freshCache: true });
    await expect('after the restart');
    // The ban in force was only cached; the token predates the ban (and its session ended with it).
    assert.equal(await me(banned.tokens.access_token), '401 TOKEN_REVOKED', "the banned account's pre-ban token");
    const bannedLogin = await call(auth.url, 'POST', '/api/v1/auth/login', {
      body: { login: banned.username, password: banned.password },
    });
    assert.equal(bannedLogin.body.code, 'ACCOUNT_BANNED', 'and it cannot sign in');
    for (const token of [loggedOut.tokens.refresh_token, reuser.tokens.refresh_token, rotated.body.refresh_token]) {
      assert.equal((await refresh(token)).status, 400, 'ended sessions cannot be refreshed either');
    }

    await auth.restart({ freshCache: true });
    await expect('after a second restart');
  });
});

describe('refresh-reuse grace window', () => {
  it('answers ten parallel refreshes of one token with one successor and keeps the session', async () => {
    const user = await registerAndLogin(auth.url, 'g');
    const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(user.tokens.refresh_token)));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      Array(10).fill(200),
      JSON.stringify(answers.map((answer) => answer.body)),
    );
    const successors = new Set(answers.map((answer) => answer.body.refresh_token));
    assert.equal(successors.size, 1, 'the same new refresh token for every retry');
    const [successor] = successors;
    assert.ok(successor && successor !== user.tokens.refresh_token);
    const sessionOf = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid as string;
    const sessions = new Set(answers.map((answer) => sessionOf(answer.body.access_token)));
    assert.deepEqual(sessions, new Set([sessionOf(user.tokens.access_token)]), 'access tokens of the same session');
    for (const answer of answers) assert.equal(await me(answer.body.access_token), '200');
    assert.equal(await me(user.tokens.access_token), '200', 'the session goes on');

    const next = await refresh(successor);
    assert.equal(next.status, 200, 'the successor rotates as usual');
    assert.notEqual(next.body.refresh_token, successor);

    // After the window the same token is a replay: the whole session ends.
    await ageRefreshTokenUse(auth, user.tokens.refresh_token, GraceSeconds + 1);
    const replay = await refresh(user.tokens.refresh_token);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    assert.equal(await me(next.body.access_token), '401 TOKEN_REVOKED');
    assert.equal((await refresh(next.body.refresh_token)).status, 400);
  });

  it('gives a retry inside the window nothing once the session has ended', async () => {
    const user = await registerAndLogin(auth.url, 'h');
    assert.equal((await refresh(user.tokens.refresh_token)).status, 200);
    const logout = await call(auth.url, 'POST', '/api/v1/auth/logout', { token: user.tokens.access_token, body: {} });
    assert.equal(logout.status, 204);
    const retry = await refresh(user.tokens.refresh_token);
    assert.equal(retry.status, 400);
    assert.equal(retry.body.error, 'invalid_grant');
  });
});
