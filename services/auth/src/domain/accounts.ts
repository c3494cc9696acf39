/** The roles of API.md §1; `service` is only ever carried by client-credentials tokens. */
export const AccountRoles = ['player', 'moderator', 'arbiter', 'world.operator', 'admin'] as const;
export type AccountRole = (typeof AccountRoles)[number];
export const ServiceRole = 'service';

export const UsernamePattern = '^[A-Za-z0-9_]{3,20}$';
export const PasswordLimits = { min: 10, max: 128 } as const;

/** Every account is a player; other roles are sorted so a stored list compares equal to itself. */
export function normalizeRoles(roles: readonly string[]): AccountRole[] {
  const wanted = new Set<string>(['player', ...roles]);
  return AccountRoles.filter((role) => wanted.has(role));
}

/** True when `after` lacks a role `before` had: privileges went away and live tokens must not keep them. */
export function removesRole(before: readonly string[], after: readonly string[]): boolean {
  return before.some((role) => !after.includes(role));
}

const characterClasses = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/];

/** API.md §2: 10–128 characters, not all of one class (lower, upper, digit, other). */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PasswordLimits.min || password.length > PasswordLimits.max) {
    return `must be ${PasswordLimits.min} to ${PasswordLimits.max} characters`;
  }
  const classes = characterClasses.filter((pattern) => pattern.test(password)).length;
  if (classes < 2) return 'must mix at least two of: lower case, upper case, digits, other characters';
  return undefined;
}

export interface BanState {
  status: 'active' | 'banned';
  bannedUntil: Date | null;
}

/** A ban with an end date lapses by itself; no job has to lift it. */
export function isBanned(account: BanState, now: Date): boolean {
  return account.status === 'banned' && (account.bannedUntil === null || account.bannedUntil > now);
}

/**
 * Moderators keep order among players; only an admin may ban staff. Nobody bans themselves (an
 * admin locking themselves out by mistake would need database surgery).
 */
export function canBan(
  actor: { id: string; roles: readonly string[] },
  target: { id: string; roles: readonly string[] },
) {
  if (actor.id === target.id) return false;
  if (actor.roles.includes('admin')) return true;
  const staff = target.roles.some((role) => role === 'admin' || role === 'moderator');
  return actor.roles.includes('moderator') && !staff;
}
