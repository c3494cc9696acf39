import type { Cache } from '../cache/cache.ts';

/**
 * Revoked sessions and banned accounts, shared through the Cache port (Redis across replicas, memory
 * in one process). An entry only has to outlive the access tokens it blocks: after the longest token
 * lifetime, every token it could match has expired anyway, and new ones are not issued (the session
 * is revoked in auth-service's database, the account is banned there).
 */
export interface DenyList {
  revokeSession(sessionId: string): Promise<void>;
  /** `until`: when the ban ends, if it is shorter than a token's life. */
  banAccount(accountId: string, until?: Date): Promise<void>;
  unbanAccount(accountId: string): Promise<void>;
  /** Why this identity is denied, or undefined when it is not. */
  check(identity: { accountId: string; sessionId: string | undefined }): Promise<'revoked' | 'banned' | undefined>;
}

export interface DenyListOptions {
  /** The longest lifetime of an access token this deployment accepts. */
  entryTtlMs: number;
  /** Leeway for clock skew between issuer and verifiers. */
  skewMs?: number;
  now?: () => number;
}

const sessionKey = (sessionId: string) => `auth:deny:session:${sessionId}`;
const accountKey = (accountId: string) => `auth:deny:account:${accountId}`;

export function createDenyList(cache: Cache, options: DenyListOptions): DenyList {
  const now = options.now ?? Date.now;
  const ttl = options.entryTtlMs + (options.skewMs ?? 60_000);
  return {
    async revokeSession(sessionId) {
      await cache.set(sessionKey(sessionId), '1', ttl);
    },
    async banAccount(accountId, until) {
      const remaining = until ? until.getTime() - now() : ttl;
      if (remaining <= 0) return;
      await cache.set(accountKey(accountId), until ? until.toISOString() : 'indefinite', Math.min(ttl, remaining));
    },
    async unbanAccount(accountId) {
      await cache.delete(accountKey(accountId));
    },
    async check({ accountId, sessionId }) {
      const [banned, revoked] = await cache.getMany(
        sessionId ? [accountKey(accountId), sessionKey(sessionId)] : [accountKey(accountId)],
      );
      if (banned != null) return 'banned';
      if (revoked != null) return 'revoked';
      return undefined;
    },
  };
}
