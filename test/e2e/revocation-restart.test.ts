import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type SpawnedBackend, spawnBackend } from './support/spawned-backend.ts';

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the test reads bodies loosely and checks them with assertions
  body: any;
}

/**
 * Issue 28: after a restart, tokens of logged-out sessions, of sessions ended by a password change or
 * a refresh reuse, and of banned accounts were accepted again. Here `npm start` runs as a process of
 * its own, is killed with SIGKILL, started again on the same data, stopped cleanly, and (on Redis)
 * loses every cache key: the old tokens stay refused at the gateway throughout.
 */
describe('revocations survive a kill -9 of npm start, a clean restart and a Redis that lost its data', () => {
  let backend: SpawnedBackend;
  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<Reply> => {
    const response = await fetch(`${backend.gateway}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  };
  const login = async (username: string, password: string) => {
    const reply = await call('POST', '/api/v1/auth/login', { body: { login: username, password } });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body as { access_token: string; refresh_token: string };
  };
  const player = async (tag: string) => {
    const username = `${tag}_${randomUUID().slice(0, 8)}`;
    const password = `Neon-city-${randomUUID()}`;
    const registered = await call('POST', '/api/v1/auth/register', {
      body: { email: `${username}@example.test`, username, password },
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    return {
      username,
      password,
      accountId: registered.body.accountId as string,
      tokens: await login(username, password),
    };
  };
  /** What the gateway answers the token on two services: the status and the problem's code. */
  const answer = async (token: string) => {
    const replies = await Promise.all([
      call('GET', '/api/v1/auth/me', { token }),
      call('GET', '/api/v1/characters', { token }),
    ]);
    return replies.map((reply) => (reply.status === 200 ? '200' : `${reply.status} ${reply.body.code}`));
  };

  before(async () => {
    backend = await spawnBackend({
      // Many logins from one address, and a reuse right after a rotation is a replay here.
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      AUTH_REFRESH_REUSE_GRACE_SECONDS: '0',
      AUTH_ARGON2_MEMORY_KIB: '4096',
      AUTH_ARGON2_ITERATIONS: '1',
    });
    await backend.start();
  });
  after(() => backend.close());

  it('keeps refusing the old tokens; the others keep working', async () => {
    const admin = (await login('admin', backend.adminPassword)).access_token;
    const banned = await player('banned');
    const pardoned = await player('pardoned');
    const loggedOut = await player('out');
    const changer = await player('changer');
    const otherDevice = await login(changer.username, changer.password);
    const reuser = await player('reuser');
    const bystander = await player('bystander');

    for (const account of [banned, pardoned]) {
      const ban = await call('POST', `/api/v1/auth/accounts/${account.accountId}/ban`, {
        token: admin,
        body: { reason: 'moved eddies with an exploit' },
      });
      assert.equal(ban.status, 200, JSON.stringify(ban.body));
    }
    assert.equal(
      (await call('DELETE', `/api/v1/auth/accounts/${pardoned.accountId}/ban`, { token: admin })).status,
      200,
    );
    const pardonedAgain = await login(pardoned.username, pardoned.password);
    assert.equal(
      (await call('POST', '/api/v1/auth/logout', { token: loggedOut.tokens.access_token, body: {} })).status,
      204,
    );
    const changed = await call('POST', '/api/v1/auth/password', {
      token: changer.tokens.access_token,
      body: { currentPassword: changer.password, newPassword: `Other-city-${randomUUID()}` },
    });
    assert.equal(changed.status, 204);
    const refresh = (token: string) =>
      call('POST', '/api/v1/auth/token', { body: { grant_type: 'refresh_token', refresh_token: token } });
    const rotated = await refresh(reuser.tokens.refresh_token);
    assert.equal(rotated.status, 200);
    assert.equal((await refresh(reuser.tokens.refresh_token)).status, 400, 'a replayed refresh token ends the session');

    const revoked = ['401 TOKEN_REVOKED', '401 TOKEN_REVOKED'];
    const fine = ['200', '200'];
    const check = async (when: string) => {
      assert.deepEqual(await answer(pardoned.tokens.access_token), revoked, `pre-ban token after the unban, ${when}`);
      assert.deepEqual(await answer(loggedOut.tokens.access_token), revoked, `logged out, ${when}`);
      assert.deepEqual(await answer(otherDevice.access_token), revoked, `ended by the password change, ${when}`);
      assert.deepEqual(await answer(rotated.body.access_token), revoked, `ended by the reuse, ${when}`);
      assert.deepEqual(await answer(pardonedAgain.access_token), fine, `signed in after the unban, ${when}`);
      assert.deepEqual(await answer(changer.tokens.access_token), fine, `the password changer's own session, ${when}`);
      assert.deepEqual(await answer(bystander.tokens.access_token), fine, `an untouched account, ${when}`);
      // 403 ACCOUNT_BANNED while the cache holds the ban in force, 401 TOKEN_REVOKED once only the
      // database's record is left (the token predates the ban, its session ended with it).
      for (const each of await answer(banned.tokens.access_token)) {
        assert.ok(
          ['403 ACCOUNT_BANNED', '401 TOKEN_REVOKED'].includes(each),
          `banned account's pre-ban token, ${when}: ${each}`,
        );
      }
      const again = await call('POST', '/api/v1/auth/login', {
        body: { login: banned.username, password: banned.password },
      });
      assert.equal(again.body.code, 'ACCOUNT_BANNED', `the banned account cannot sign in, ${when}`);
    };
    await check('before any restart');
    assert.deepEqual(await answer(banned.tokens.access_token), ['403 ACCOUNT_BANNED', '403 ACCOUNT_BANNED']);

    await backend.stop('SIGKILL');
    await backend.start();
    await check('after kill -9 and a new start');

    if (await backend.flushRedis()) {
      await check('after Redis lost every key');
      assert.deepEqual(await answer(banned.tokens.access_token), revoked, 'only the database remembered the ban');
    }

    await backend.stop('SIGTERM');
    await backend.start();
    await check('after a clean restart');
    if (!process.env.REDIS_URL) {
      assert.deepEqual(await answer(banned.tokens.access_token), revoked, 'a memory cache starts empty');
    }
  });
});
