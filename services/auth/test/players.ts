import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { hashToken } from '../src/domain/secrets.ts';
import { AdminPassword, type AuthUnderTest, call, uniqueUser } from './harness.ts';

export type Tokens = { access_token: string; refresh_token: string; expires_in: number; token_type: string };

/** A new account, signed in once: its login, password, id and first tokens. */
export async function registerAndLogin(base: string, prefix = 'p') {
  const user = uniqueUser(prefix);
  const created = await call<{ accountId: string }>(base, 'POST', '/api/v1/auth/register', { body: user });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const login = await call<Tokens>(base, 'POST', '/api/v1/auth/login', {
    body: { login: user.username, password: user.password },
  });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return { ...user, accountId: created.body.accountId, tokens: login.body };
}

/** An access token of the seeded admin. */
export async function adminTokenOf(base: string): Promise<string> {
  const login = await call<Tokens>(base, 'POST', '/api/v1/auth/login', {
    body: { login: 'admin', password: AdminPassword },
  });
  assert.equal(login.status, 200);
  return login.body.access_token;
}

/** Moves a used refresh token's use `seconds` into the past, as if that much time had gone by since. */
export async function ageRefreshTokenUse(auth: AuthUnderTest, token: string, seconds: number): Promise<void> {
  const db = await auth.runtime.database();
  await sql`UPDATE auth.refresh_tokens SET used_at = used_at - make_interval(secs => ${seconds})
            WHERE token_hash = ${hashToken(token)}`.execute(db.kysely);
}
