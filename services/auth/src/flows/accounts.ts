import { randomUUID } from 'node:crypto';
import { AppError, type Denial } from '@necp/platform';
import { canBan, isBanned, normalizeRoles, passwordProblem, removesRole } from '../domain/accounts.ts';
import { publish } from '../events.ts';
import { findAccount, insertAccount, setBan, takenField, updatePasswordHash, updateRoles } from '../store/accounts.ts';
import type { AuthDatabase } from '../store/tables.ts';
import type { AuthApp } from './auth-app.ts';
import { denySessions, revokeAndAnnounce } from './sessions.ts';

function assertPassword(password: string, field: string): void {
  const problem = passwordProblem(password);
  if (problem) {
    throw new AppError('VALIDATION_ERROR', `${field} ${problem}`, {
      errors: [{ path: `body/${field}`, message: problem }],
    });
  }
}

export async function register(
  app: AuthApp,
  input: { email: string; username: string; password: string; roles?: string[] },
): Promise<{ accountId: string; email: string; username: string }> {
  assertPassword(input.password, 'password');
  const taken = await takenField(app.db, input.email, input.username);
  if (taken === 'email') throw new AppError('EMAIL_TAKEN', 'This email is already registered');
  if (taken === 'username') throw new AppError('USERNAME_TAKEN', 'This username is taken');
  const passwordHash = await app.passwords.hash(input.password);
  const account = await app.db.transaction().execute(async (trx) => {
    const created = await insertAccount(trx, {
      id: randomUUID(),
      email: input.email,
      username: input.username,
      passwordHash,
      roles: normalizeRoles(input.roles ?? []),
    });
    await publish(trx, {
      topic: 'auth.account.created',
      key: created.id,
      payload: { accountId: created.id, username: created.username, createdAt: created.createdAt.toISOString() },
    });
    return created;
  });
  return { accountId: account.id, email: account.email, username: account.username };
}

async function existing(app: AuthApp, accountId: string) {
  const account = await findAccount(app.db, accountId);
  if (!account) throw new AppError('NOT_FOUND', 'No such account');
  return account;
}

/** The caller's own account (`/me`). */
export async function describeAccount(app: AuthApp, accountId: string) {
  const account = await findAccount(app.db, accountId);
  if (!account) throw new AppError('NOT_FOUND', 'No account for this token');
  return {
    accountId: account.id,
    email: account.email,
    username: account.username,
    roles: account.roles,
    createdAt: account.createdAt.toISOString(),
    status: isBanned(account, new Date()) ? ('banned' as const) : ('active' as const),
  };
}

/** Changes the password and ends every other session (API.md §2), the caller's own staying signed in. */
export async function changePassword(
  app: AuthApp,
  caller: { accountId: string; sessionId: string | undefined },
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const account = await existing(app, caller.accountId);
  if (!(await app.passwords.verify(account.passwordHash, input.currentPassword))) {
    throw new AppError('FORBIDDEN', 'The current password is wrong');
  }
  assertPassword(input.newPassword, 'newPassword');
  const passwordHash = await app.passwords.hash(input.newPassword);
  const revoked = await app.db.transaction().execute(async (trx) => {
    await updatePasswordHash(trx, account.id, passwordHash);
    return revokeAndAnnounce(
      app,
      trx,
      { accountId: account.id, ...(caller.sessionId ? { exceptSessionId: caller.sessionId } : {}) },
      'password changed',
    );
  });
  await denySessions(app, revoked);
}

/**
 * Replaces an account's roles. Taking a role away also ends the account's sessions: otherwise its
 * live tokens would keep the privilege for up to an access-token lifetime.
 */
export async function setRoles(app: AuthApp, accountId: string, roles: string[]) {
  const normalized = normalizeRoles(roles);
  const { before, revoked } = await app.db.transaction().execute(async (trx) => {
    const account = await findAccount(trx, accountId, { forUpdate: true });
    if (!account) throw new AppError('NOT_FOUND', 'No such account');
    await updateRoles(trx, accountId, normalized);
    const ended = removesRole(account.roles, normalized)
      ? await revokeAndAnnounce(app, trx, { accountId }, 'roles reduced')
      : [];
    return { before: account.roles, revoked: ended };
  });
  await denySessions(app, revoked);
  app.logger.info({ accountId, before, after: normalized }, 'roles changed');
  return { accountId, roles: normalized };
}

/**
 * Bans an account: its sessions end (none can be refreshed) and its tokens are refused, those issued
 * before the ban for good (also after an unban or the ban's end), kept in the database with the ban.
 */
export async function ban(
  app: AuthApp,
  actor: { accountId: string; roles: string[] },
  accountId: string,
  input: { reason: string; until: Date | null },
) {
  const at = new Date();
  if (input.until && input.until <= at) {
    throw new AppError('VALIDATION_ERROR', 'until must be in the future', {
      errors: [{ path: 'body/until', message: 'must be in the future' }],
    });
  }
  const banned: Denial = { kind: 'ban', accountId, at, until: input.until };
  const sessions = await app.db.transaction().execute(async (trx) => {
    const target = await findAccount(trx, accountId, { forUpdate: true });
    if (!target) throw new AppError('NOT_FOUND', 'No such account');
    if (!canBan({ id: actor.accountId, roles: actor.roles }, target)) {
      throw new AppError('FORBIDDEN', 'You may not ban this account');
    }
    await setBan(trx, accountId, input);
    const ended = await revokeAndAnnounce(app, trx, { accountId }, 'account banned');
    await app.denyList.record<AuthDatabase>(trx, [banned]);
    await publish(trx, {
      topic: 'auth.account.banned',
      key: accountId,
      payload: { accountId, reason: input.reason, until: input.until?.toISOString() ?? null },
    });
    return ended;
  });
  await app.denyList.publish([banned, ...sessions.map((sessionId) => ({ kind: 'session' as const, sessionId, at }))]);
  return { accountId, status: 'banned' as const, reason: input.reason, until: input.until?.toISOString() ?? null };
}

/** Lifts the ban: the account signs in again, and only its new tokens work. */
export async function unban(app: AuthApp, accountId: string) {
  await existing(app, accountId);
  await setBan(app.db, accountId, null);
  await app.denyList.unbanAccount(accountId);
  return { accountId, status: 'active' as const };
}
