import { randomUUID } from 'node:crypto';
import { AppError } from '@necp/platform';
import { afterFailure, lockoutSource, lockoutSubject } from '../domain/lockout.ts';
import { findAccount } from '../store/accounts.ts';
import type { AuthApp } from './auth-app.ts';
import { LoginRefused } from './errors.ts';

/** The cache entries of one login (account, or unknown name) tried from one source. */
export interface LockoutKeys {
  failures: string;
  lock: string;
}

/** Changed by an unlock, so every count and lock of the subject, from every source, is left behind at once. */
const generationKey = (subject: string) => `auth:login-generation:${subject}`;

/** The entries counting failed logins to `login` (its account when known) from `ip`. */
export async function lockoutKeys(app: AuthApp, accountId: string | undefined, login: string, ip: string | null) {
  const subject = lockoutSubject(accountId, login);
  const generation = (await app.cache.get(generationKey(subject))) ?? '0';
  const pair = `${subject}:${generation}:${lockoutSource(ip)}`;
  return { failures: `auth:login-failures:${pair}`, lock: `auth:login-lock:${pair}` };
}

/** Refuses a login tried while its source is locked out of it, whatever the password. */
export async function assertNotLocked(app: AuthApp, keys: LockoutKeys, now: Date): Promise<void> {
  const stored = await app.cache.get(keys.lock);
  const lockedUntil = stored ? new Date(stored) : undefined;
  if (lockedUntil && lockedUntil > now) throw new LoginRefused('locked', lockedUntil);
}

/** Counts a failed login; the refusal to answer with (a lock once the source has failed often enough). */
export async function recordFailure(app: AuthApp, keys: LockoutKeys, now: Date): Promise<LoginRefused> {
  const policy = app.settings.lockout;
  const failures = (await app.cache.increment(keys.failures, 1, policy.windowMs)).value;
  const { lockedUntil } = afterFailure(failures, policy, now);
  if (!lockedUntil) return new LoginRefused('invalid');
  await app.cache.set(keys.lock, lockedUntil.toISOString(), lockedUntil.getTime() - now.getTime());
  return new LoginRefused('locked', lockedUntil);
}

/** A successful login from a source starts its count afresh. */
export async function forgetFailures(app: AuthApp, keys: LockoutKeys): Promise<void> {
  await app.cache.delete(keys.failures);
}

/** Staff lifts every lock on an account, from every source (the owner locked out by someone's guessing). */
export async function unlockAccount(app: AuthApp, accountId: string): Promise<void> {
  if (!(await findAccount(app.db, accountId))) throw new AppError('NOT_FOUND', 'No such account');
  // Outlives every count and lock it leaves behind, and is never reused: a lapsed one cannot revive them.
  await app.cache.set(generationKey(lockoutSubject(accountId, '')), randomUUID(), app.settings.lockout.windowMs);
}
