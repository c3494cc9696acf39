import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTokenVerifier } from '@necp/platform';
import { type AuthUnderTest, call, startAuth, uniqueUser } from '../harness.ts';
import { adminTokenOf, ageRefreshTokenUse, registerAndLogin as registerAndLoginAt, type Tokens } from '../players.ts';

let auth: AuthUnderTest;
before(async () => {
  auth = await startAuth({ AUTH_LOCKOUT_SECONDS: '1' });
});
after(() => auth.close());

const registerAndLogin = (prefix = 'p') => registerAndLoginAt(auth.url, prefix);
const adminToken = () => adminTokenOf(auth.url);

describe('registration', () => {
  it('creates an account, announces it, and refuses clashes and weak passwords', async () => {
    const user = uniqueUser('r');
    const created = await call(auth.url, 'POST', '/api/v1/auth/register', { body: user });
    assert.equal(created.status, 201);
    assert.equal(created.body.username, user.username);
    const again = await call(auth.url, 'POST', '/api/v1/auth/register', {
      body: { ...user, username: `${user.username.slice(0, 17)}x2` },
    });
    assert.equal(again.body.code, 'EMAIL_TAKEN');
    const sameName = await call(auth.url, 'POST', '/api/v1/auth/register', {
      body: { ...user, email: `other.${user.email}`, username: user.username.toUpperCase() },
    });
    assert.equal(sameName.status, 409);
    assert.equal(sameName.body.code, 'USERNAME_TAKEN');
    const weak = await call(auth.url, 'POST', '/api/v1/auth/register', {
      body: { ...uniqueUser('w'), password: 'aaaaaaaaaaaa' },
    });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.code, 'VALIDATION_ERROR');
    const extra = await call(auth.url, 'POST', '/api/v1/auth/register', { body: { ...uniqueUser('x'), admin: true } });
    assert.equal(extra.status, 400);
    const db = await auth.runtime.database();
    const event = await db.kysely
      .selectFrom('mvp_meta.outbox')
      .select(['type', 'aggregateid'])
      .where('aggregateid', '=', String(created.body.accountId))
      .executeTakeFirst();
    assert.equal(event?.type, 'auth.account.created');
  });
});

describe('token endpoint and verification', () => {
  it('issues tokens for form and JSON bodies that a platform verifier accepts through the JWKS', async () => {
    const user = await registerAndLogin();
    const form = await call<Tokens>(auth.url, 'POST', '/api/v1/auth/token', {
      form: { grant_type: 'password', username: user.email, password: user.password },
    });
    assert.equal(form.status, 200);
    assert.equal(form.body.token_type, 'Bearer');
    assert.equal(form.body.expires_in, 900);
    assert.equal(form.headers.get('cache-control'), 'no-store');
    const json = await call<Tokens>(auth.url, 'POST', '/api/v1/auth/token', {
      body: { grant_type: 'password', username: user.username, password: user.password },
    });
    assert.equal(json.status, 200);

    const discovery = await call<{ issuer: string; jwks_uri: string }>(
      auth.url,
      'GET',
      '/.well-known/openid-configuration',
    );
    assert.equal(discovery.body.issuer, 'http://127.0.0.1:8080');
    const jwks = await call<{ keys: Array<Record<string, unknown>> }>(auth.url, 'GET', '/.well-known/jwks.json');
    assert.ok(jwks.body.keys.length >= 1);
    for (const key of jwks.body.keys) {
      assert.ok(key.kid);
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[secret], undefined, 'no private member');
    }
    const verifier = createTokenVerifier({
      issuer: 'http://127.0.0.1:8080',
      audience: 'necp-api',
      keys: { kind: 'jwks', url: `${auth.url}/.well-known/jwks.json` },
    });
    const identity = await verifier.verify(form.body.access_token);
    assert.equal(identity.accountId, user.accountId);
    assert.deepEqual(identity.roles, ['player']);
    assert.ok(identity.sessionId);

    const me = await call(auth.url, 'GET', '/api/v1/auth/me', { token: json.body.access_token });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, user.username);
    assert.equal(me.body.status, 'active');
  });

  it('answers OAuth2 errors for bad grants and clients', async () => {
    const unsupported = await call(auth.url, 'POST', '/api/v1/auth/token', { form: { grant_type: 'implicit' } });
    assert.equal(unsupported.status, 400);
    assert.equal(unsupported.body.error, 'unsupported_grant_type');
    const badClient = await call(auth.url, 'POST', '/api/v1/auth/token', {
      form: { grant_type: 'client_credentials', client_id: 'economy-service', client_secret: 'guess' },
    });
    assert.equal(badClient.status, 401);
    assert.equal(badClient.body.error, 'invalid_client');
    const noAuth = await call(auth.url, 'GET', '/api/v1/auth/me');
    assert.equal(noAuth.status, 401);
    assert.equal(noAuth.body.code, 'UNAUTHENTICATED');
  });

  it('answers a token request it cannot read with 400 invalid_request, never 500', async () => {
    const unreadable = [
      '',
      '{',
      '{"__proto__":{"a":1}}',
      JSON.stringify({ grant_type: '\u0000' }),
      JSON.stringify({ grant_type: 'password', username: 'a', password: '\ud800' }),
    ];
    for (const body of unreadable) {
      const response = await fetch(`${auth.url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const answer = (await response.json()) as { error?: string };
      assert.equal(response.status, 400, `${body}: ${JSON.stringify(answer)}`);
      assert.equal(answer.error, 'invalid_request', body);
    }
  });

  it('gives services client-credentials tokens with role service', async () => {
    const { serviceClientSecret } = await import('@necp/platform');
    const secret = serviceClientSecret(auth.runtime.config, 'economy');
    assert.ok(secret);
    const basic = Buffer.from(`economy-service:${secret}`).toString('base64');
    const granted = await call<Tokens>(auth.url, 'POST', '/api/v1/auth/token', {
      form: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${basic}` },
    });
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    assert.equal(granted.body.refresh_token, undefined);
    const verifier = createTokenVerifier({
      issuer: 'http://127.0.0.1:8080',
      audience: 'necp-api',
      keys: { kind: 'jwks', url: `${auth.url}/.well-known/jwks.json` },
    });
    const identity = await verifier.verify(granted.body.access_token);
    assert.equal(identity.accountId, 'economy-service');
    assert.deepEqual(identity.roles, ['service']);
    assert.equal(identity.sessionId, undefined);
  });
});

describe('refresh tokens', () => {
  it('rotates on every use and revokes the family when a used token comes back', async () => {
    const user = await registerAndLogin();
    const first = user.tokens.refresh_token;
    const rotated = await call<Tokens>(auth.url, 'POST', '/api/v1/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: first },
    });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.refresh_token, first);
    // Past the grace window, in which a second use is a retry answered like the first.
    await ageRefreshTokenUse(auth, first, 60);
    const reuse = await call(auth.url, 'POST', '/api/v1/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: first },
    });
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
    const second = await call(auth.url, 'POST', '/api/v1/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token },
    });
    assert.equal(second.status, 400, 'the whole family is revoked');
    const me = await call(auth.url, 'GET', '/api/v1/auth/me', { token: rotated.body.access_token });
    assert.equal(me.status, 401);
    assert.equal(me.body.code, 'TOKEN_REVOKED');
  });
});

describe('lockout', () => {
  it('locks after five failures, answers unknown logins the same way, and unlocks after the window', async () => {
    const user = await registerAndLogin('l');
    const attempt = (login: string, password: string) =>
      call(auth.url, 'POST', '/api/v1/auth/login', { body: { login, password } });
    const ghost = `ghost${Date.now()}`;
    for (let i = 1; i <= 4; i += 1) {
      const known = await attempt(user.username, 'Wrong-password-1');
      const unknown = await attempt(ghost, 'Wrong-password-1');
      assert.equal(known.status, 401);
      assert.equal(unknown.status, 401);
      assert.deepEqual({ ...known.body, traceId: '' }, { ...unknown.body, traceId: '' });
    }
    const locked = await attempt(user.username, 'Wrong-password-1');
    const ghostLocked = await attempt(ghost, 'Wrong-password-1');
    assert.equal(locked.status, 423);
    assert.equal(ghostLocked.status, 423);
    assert.equal(locked.body.code, 'ACCOUNT_LOCKED');
    assert.equal(ghostLocked.body.code, 'ACCOUNT_LOCKED');
    assert.ok(typeof locked.body.lockedUntil === 'string');
    const rightButLocked = await attempt(user.username, user.password);
    assert.equal(rightButLocked.status, 423);
    const viaToken = await call(auth.url, 'POST', '/api/v1/auth/token', {
      form: { grant_type: 'password', username: user.username, password: user.password },
    });
    assert.equal(viaToken.status, 423);
    assert.equal(viaToken.body.error, 'invalid_grant');
    await sleep(1100);
    const unlocked = await attempt(user.username, user.password);
    assert.equal(unlocked.status, 200);
  });
});

describe('sessions, logout and password change', () => {
  it('logout ends the session at once, including its already-issued access token', async () => {
    const user = await registerAndLogin();
    const out = await call(auth.url, 'POST', '/api/v1/auth/logout', {
      token: user.tokens.access_token,
      body: { refresh_token: user.tokens.refresh_token },
    });
    assert.equal(out.status, 204);
    const me = await call(auth.url, 'GET', '/api/v1/auth/me', { token: user.tokens.access_token });
    assert.equal(me.body.code, 'TOKEN_REVOKED');
    const refresh = await call(auth.url, 'POST', '/api/v1/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: user.tokens.refresh_token },
    });
    assert.equal(refresh.status, 400);
  });

  it('lists and ends own sessions; a password change ends every other one', async () => {
    const user = await registerAndLogin();
    const other = await call<Tokens>(auth.url, 'POST', '/api/v1/auth/login', {
      body: { login: user.username, password: user.password },
    });
    const list = await call<{ items: Array<{ sessionId: string; current: boolean }>; nextCursor: string | null }>(
      auth.url,
      'GET',
      '/api/v1/auth/sessions?limit=1',
      { token: user.tokens.access_token },
    );
    assert.equal(list.body.items.length, 1);
    assert.ok(list.body.nextCursor);
    const rest = await call<{ items: Array<{ sessionId: string }> }>(
      auth.url,
      'GET',
      `/api/v1/auth/sessions?cursor=${list.body.nextCursor}`,
      { token: user.tokens.access_token },
    );
    assert.equal(rest.body.items.length, 1);
    const wrong = await call(auth.url, 'POST', '/api/v1/auth/password', {
      token: user.tokens.access_token,
      body: { currentPassword: 'Not-the-password-1', newPassword: 'Another-horse-22' },
    });
    assert.equal(wrong.status, 403);
    const changed = await call(auth.url, 'POST', '/api/v1/auth/password', {
      token: user.tokens.access_token,
      body: { currentPassword: user.password, newPassword: 'Another-horse-22' },
    });
    assert.equal(changed.status, 204);
    assert.equal((await call(auth.url, 'GET', '/api/v1/auth/me', { token: user.tokens.access_token })).status, 200);
    const ended = await call(auth.url, 'GET', '/api/v1/auth/me', { token: other.body.access_token });
    assert.equal(ended.body.code, 'TOKEN_REVOKED');
    const foreign = await call(auth.url, 'DELETE', `/api/v1/auth/sessions/${crypto.randomUUID()}`, {
      token: user.tokens.access_token,
    });
    assert.equal(foreign.status, 404);
  });
});

describe('roles and bans', () => {
  it('keeps players out of admin routes', async () => {
    const player = await registerAndLogin();
    const roles = await call(auth.url, 'PUT', `/api/v1/auth/accounts/${player.accountId}/roles`, {
      token: player.tokens.access_token,
      body: { roles: ['admin'] },
    });
    assert.equal(roles.status, 403);
    assert.equal(roles.body.code, 'FORBIDDEN');
    const banned = await call(auth.url, 'POST', `/api/v1/auth/accounts/${player.accountId}/ban`, {
      token: player.tokens.access_token,
      body: { reason: 'self' },
    });
    assert.equal(banned.status, 403);
  });

  it('a ban stops already-issued tokens at once, and lifting it lets the account back in', async () => {
    const admin = await adminToken();
    const player = await registerAndLogin('b');
    const ban = await call(auth.url, 'POST', `/api/v1/auth/accounts/${player.accountId}/ban`, {
      token: admin,
      body: { reason: 'cheating' },
    });
    assert.equal(ban.status, 200, JSON.stringify(ban.body));
    const me = await call(auth.url, 'GET', '/api/v1/auth/me', { token: player.tokens.access_token });
    assert.equal(me.status, 403);
    assert.equal(me.body.code, 'ACCOUNT_BANNED');
    const login = await call(auth.url, 'POST', '/api/v1/auth/login', {
      body: { login: player.username, password: player.password },
    });
    assert.equal(login.body.code, 'ACCOUNT_BANNED');
    const refresh = await call(auth.url, 'POST', '/api/v1/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: player.tokens.refresh_token },
    });
    assert.equal(refresh.status, 400);
    const lifted = await call(auth.url, 'DELETE', `/api/v1/auth/accounts/${player.accountId}/ban`, { token: admin });
    assert.equal(lifted.status, 200);
    const back = await call(auth.url, 'POST', '/api/v1/auth/login', {
      body: { login: player.username, password: player.password },
    });
    assert.equal(back.status, 200);
  });

  it('moderators ban players but not staff; reducing roles ends the sessions', async () => {
    const admin = await adminToken();
    const moderator = await registerAndLogin('m');
    const granted = await call(auth.url, 'PUT', `/api/v1/auth/accounts/${moderator.accountId}/roles`, {
      token: admin,
      body: { roles: ['moderator'] },
    });
    assert.deepEqual(granted.body.roles, ['player', 'moderator']);
    const modLogin = await call<Tokens>(auth.url, 'POST', '/api/v1/auth/login', {
      body: { login: moderator.username, password: moderator.password },
    });
    const modToken = modLogin.body.access_token;
    const player = await registerAndLogin();
    const ok = await call(auth.url, 'POST', `/api/v1/auth/accounts/${player.accountId}/ban`, {
      token: modToken,
      body: { reason: 'spam', until: new Date(Date.now() + 3_600_000).toISOString() },
    });
    assert.equal(ok.status, 200);
    const me = await call<{ accountId: string }>(auth.url, 'GET', '/api/v1/auth/me', { token: admin });
    const staff = await call(auth.url, 'POST', `/api/v1/auth/accounts/${me.body.accountId}/ban`, {
      token: modToken,
      body: { reason: 'coup' },
    });
    assert.equal(staff.status, 403);
    await call(auth.url, 'PUT', `/api/v1/auth/accounts/${moderator.accountId}/roles`, {
      token: admin,
      body: { roles: [] },
    });
    const demoted = await call(auth.url, 'GET', '/api/v1/auth/me', { token: modToken });
    assert.equal(demoted.body.code, 'TOKEN_REVOKED');
  });
});
