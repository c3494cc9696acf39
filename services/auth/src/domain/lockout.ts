export interface LockoutPolicy {
  /** Consecutive failures that lock the login. */
  threshold: number;
  lockoutMs: number;
}

/**
 * After one more failed login: whether the login is now locked, and until when. The counter lives
 * as long as a lock would, so failures spread wider apart than the window never add up to a lock.
 */
export function afterFailure(failures: number, policy: LockoutPolicy, now: Date): { lockedUntil: Date | undefined } {
  if (failures < policy.threshold) return { lockedUntil: undefined };
  return { lockedUntil: new Date(now.getTime() + policy.lockoutMs) };
}

/**
 * What the lockout counts against: the account when the login names one, else the login text
 * itself, so an unknown name locks exactly like a real one and the answers cannot tell them apart.
 */
export function lockoutSubject(accountId: string | undefined, login: string): string {
  return accountId ? `account:${accountId}` : `login:${login.trim().toLowerCase()}`;
}
