import { isIP } from 'node:net';

export interface LockoutPolicy {
  /** Failures from one source against one login before that pair is locked. */
  threshold: number;
  /** The first lock; each further failure doubles it. */
  lockoutMs: number;
  /** The longest lock; unbounded doubling when absent. */
  maxLockoutMs?: number;
}

/** Doublings beyond this would only overflow; any real maximum is reached long before. */
const MaxDoublings = 30;

/**
 * After one more failed login from a source: whether that source is now locked out of the login,
 * and until when. Below the threshold nothing happens; at it the first lock starts, and every
 * failure after a lock has run out doubles the next one, up to the maximum.
 */
export function afterFailure(failures: number, policy: LockoutPolicy, now: Date): { lockedUntil: Date | undefined } {
  if (failures < policy.threshold) return { lockedUntil: undefined };
  const doublings = Math.min(failures - policy.threshold, MaxDoublings);
  const lockMs = Math.min(policy.lockoutMs * 2 ** doublings, policy.maxLockoutMs ?? Number.POSITIVE_INFINITY);
  return { lockedUntil: new Date(now.getTime() + lockMs) };
}

/**
 * What the lockout counts against: the account when the login names one, else the login text
 * itself, so an unknown name locks exactly like a real one and the answers cannot tell them apart.
 */
export function lockoutSubject(accountId: string | undefined, login: string): string {
  return accountId ? `account:${accountId}` : `login:${login.trim().toLowerCase()}`;
}

const stripMapped = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/**
 * Where a request comes from: the peer's address, unless the peer is a trusted proxy (the
 * gateway), which names the address it took the request from as the last entry of X-Forwarded-For.
 */
export function callerAddress(
  peer: string,
  forwardedFor: string | string[] | undefined,
  trustedProxies: readonly string[],
): string {
  if (!trustedProxies.includes(stripMapped(peer))) return peer;
  const hops = [forwardedFor ?? []].flat().join(',').split(',');
  const last = stripMapped(hops.at(-1)?.trim() ?? '');
  return isIP(last) ? last : peer;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right];
}

/**
 * Where failures come from, as the lockout counts them: the IPv4 address, or the /64 network of an
 * IPv6 one (one subscriber's usual allocation: more addresses would buy an attacker nothing).
 */
export function lockoutSource(ip: string | null | undefined): string {
  const address = stripMapped((ip ?? '').trim().toLowerCase());
  switch (isIP(address)) {
    case 4:
      return address;
    case 6: {
      const groups = expandIpv6(address.split('%')[0] ?? '');
      return `${groups
        .slice(0, 4)
        .map((group) => Number.parseInt(group || '0', 16).toString(16))
        .join(':')}::/64`;
    }
    default:
      return 'unknown';
  }
}
