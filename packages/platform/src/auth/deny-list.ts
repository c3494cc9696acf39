import type { Kysely } from 'kysely';
import type { Cache } from '../cache/cache.ts';
import type { PlatformTables } from '../sql/platform-tables.ts';
import { insertDenials, liveDenials, type StoredDenial } from './denials-store.ts';

export { deleteExpiredDenials, type StoredDenial } from './denials-store.ts';

/**
 * Ended sessions and banned accounts. The database is where they are kept
 * (`mvp_meta.denied_identities`, written by auth-service in the transaction that ends the session or
 * bans the account); the Cache port (Redis across replicas, memory in one process) is where every
 * verifier reads them, one round trip per request. The cache holds the entries and a "loaded" marker:
 * a verifier that finds the marker missing (a fresh process on a memory cache, a Redis that lost its
 * data) loads the denials still in force from the database before it answers, once for all the
 * requests waiting; once its last load is `refreshMs` old, it loads in the background what was
 * denied since (which brings in denials written by another process whose cache is its own memory, and
 * any entry a lost cache write left out).
 *
 * An entry only has to outlive the access tokens it refuses: after the longest token lifetime every
 * token it could match has expired, and no new ones are issued (the session is ended in auth-service's
 * database, the banned account cannot sign in).
 */
export interface DenyList {
  /** Cache only: the session's tokens are refused from now on. */
  revokeSession(sessionId: string): Promise<void>;
  /**
   * Cache only: the account's tokens are refused while the ban lasts (`until`: when it ends, if that
   * is sooner than a token's life), and those issued before `at` (now) for good.
   */
  banAccount(accountId: string, until?: Date, at?: Date): Promise<void>;
  /** Cache only: the ban is over; tokens issued before it stay refused. */
  unbanAccount(accountId: string): Promise<void>;
  /** Why this identity is denied, or undefined when it is not. */
  check(identity: DeniedIdentity): Promise<'revoked' | 'banned' | undefined>;
  /** Keeps denials in the database, inside the caller's transaction (the one making the change). */
  record<DB extends PlatformTables>(trx: Kysely<DB>, denials: readonly Denial[]): Promise<void>;
  /** After the commit: puts denials into the cache, so every verifier refuses their tokens at once. */
  publish(denials: readonly Denial[]): Promise<void>;
  /** Loads the denials in force from the database into the cache; false when this process has no database. */
  reload(): Promise<boolean>;
}

/** What a check needs of a verified token. */
export interface DeniedIdentity {
  accountId: string;
  sessionId: string | undefined;
  /** `iat`: a token without one is not compared with a past ban. */
  issuedAt?: Date | undefined;
}

/** A denial as auth-service makes it. */
export type Denial =
  | { kind: 'session'; sessionId: string; at: Date }
  | { kind: 'ban'; accountId: string; at: Date; until?: Date | null | undefined };

export interface DenyListOptions {
  /** The longest lifetime of an access token this deployment accepts. */
  entryTtlMs: number;
  /** Leeway for clock skew between issuer and verifiers. */
  skewMs?: number;
  now?: () => number;
  /**
   * The database denials are kept in, or undefined (also as the answer) when this process reaches
   * none: then the cache is all there is and no marker is set, so a process that has one loads.
   */
  database?: () => Promise<Kysely<PlatformTables> | undefined>;
  /** How old a load may get before a check starts the next one in the background (30 s). */
  refreshMs?: number;
  /** A background load failed (the cache keeps answering meanwhile). */
  onRefreshError?: (error: unknown) => void;
}

const sessionKey = (sessionId: string) => `auth:deny:session:${sessionId}`;
/** The ban in force (its end, or `indefinite`). */
const accountKey = (accountId: string) => `auth:deny:account:${accountId}`;
/** The time of the account's latest ban, in ms: tokens issued before it are refused for good. */
const bannedAtKey = (accountId: string) => `auth:deny:banned-at:${accountId}`;
/** How far before the last load a background refresh reads again. */
const RefreshOverlapMs = 120_000;
/** When the denials were last loaded from the database into this cache, in ms. */
const loadedKey = 'auth:deny:loaded';

/**
 * True when a token issued at `issuedAt` (from `iat`, whole seconds) predates a ban at `bannedAtMs`.
 * Only earlier seconds count: a token of the ban's own second may be one issued just after an unban,
 * and one issued just before the ban is refused anyway, its session having been ended with the ban.
 */
export function issuedBeforeBan(issuedAt: Date, bannedAtMs: number): boolean {
  return issuedAt.getTime() < Math.floor(bannedAtMs / 1000) * 1000;
}

export function createDenyList(cache: Cache, options: DenyListOptions): DenyList {
  const now = options.now ?? Date.now;
  const ttl = options.entryTtlMs + (options.skewMs ?? 60_000);
  const refreshMs = options.refreshMs ?? 30_000;
  /** The load in flight, and whether it reads every live row or only recent ones. */
  let loading: { full: boolean; done: Promise<boolean> } | undefined;

  const setBannedAt = async (accountId: string, atMs: number, expiresAtMs: number) => {
    const remaining = expiresAtMs - now();
    if (remaining > 0) await cache.set(bannedAtKey(accountId), String(atMs), remaining);
  };

  /** Every live denial, or (`since`) those made since then: a row's expiry is its time plus `ttl`. */
  const load = async (since?: number): Promise<boolean> => {
    const db = await options.database?.();
    if (!db) return false;
    const at = now();
    const live = await liveDenials(db, new Date(since === undefined ? at : Math.max(at, since + ttl)));
    await Promise.all(
      live.map(async (denial) => {
        const remaining = denial.expiresAt.getTime() - at;
        if (remaining <= 0) return;
        if (denial.kind === 'session') await cache.set(sessionKey(denial.id), '1', remaining);
        else await cache.set(bannedAtKey(denial.id), String(denial.deniedAt.getTime()), remaining);
      }),
    );
    // Set last: a marker never stands for entries not yet in the cache. It expires with the entries
    // it stands for, so an idle deployment loads again rather than trust a marker older than them.
    await cache.set(loadedKey, String(at), ttl);
    return true;
  };
  /** One load at a time for every caller; a full load wanted during a partial one runs after it. */
  const loadShared = (since?: number): Promise<boolean> => {
    const full = since === undefined;
    if (loading && (loading.full || !full)) return loading.done;
    const before = loading?.done;
    const done: Promise<boolean> = (async () => {
      await before?.catch(() => undefined);
      return load(since);
    })().finally(() => {
      if (loading?.done === done) loading = undefined;
    });
    loading = { full, done };
    return done;
  };

  const denyList: DenyList = {
    async revokeSession(sessionId) {
      await cache.set(sessionKey(sessionId), '1', ttl);
    },
    async banAccount(accountId, until, at = new Date(now())) {
      const remaining = until ? until.getTime() - now() : ttl;
      if (remaining <= 0) return;
      await Promise.all([
        cache.set(accountKey(accountId), until ? until.toISOString() : 'indefinite', Math.min(ttl, remaining)),
        setBannedAt(accountId, at.getTime(), at.getTime() + ttl),
      ]);
    },
    async unbanAccount(accountId) {
      await cache.delete(accountKey(accountId));
    },
    async check(identity) {
      const keys = [loadedKey, accountKey(identity.accountId), bannedAtKey(identity.accountId)];
      if (identity.sessionId) keys.push(sessionKey(identity.sessionId));
      let values = await cache.getMany(keys);
      if (options.database) {
        const loadedAt = values[0];
        if (loadedAt == null) {
          if (await loadShared()) values = await cache.getMany(keys);
        } else if (!loading && now() - Number(loadedAt) >= refreshMs) {
          // In the background, only what was denied since a little before the last load (a
          // transaction commits after its denial's time; clocks differ).
          loadShared(Number(loadedAt) - RefreshOverlapMs).catch((error: unknown) => options.onRefreshError?.(error));
        }
      }
      const [, banned, bannedAt, revoked] = values;
      if (banned != null) return 'banned';
      if (revoked != null) return 'revoked';
      if (bannedAt != null && identity.issuedAt && issuedBeforeBan(identity.issuedAt, Number(bannedAt))) {
        return 'revoked';
      }
      return undefined;
    },
    async record<DB extends PlatformTables>(trx: Kysely<DB>, denials: readonly Denial[]) {
      const rows: StoredDenial[] = denials.map((denial) =>
        denial.kind === 'session'
          ? {
              kind: 'session',
              id: denial.sessionId,
              deniedAt: denial.at,
              expiresAt: new Date(denial.at.getTime() + ttl),
            }
          : {
              kind: 'account',
              id: denial.accountId,
              deniedAt: denial.at,
              expiresAt: new Date(denial.at.getTime() + ttl),
            },
      );
      await insertDenials(trx, rows);
    },
    async publish(denials) {
      await Promise.all(
        denials.map((denial) =>
          denial.kind === 'session'
            ? denyList.revokeSession(denial.sessionId)
            : denyList.banAccount(denial.accountId, denial.until ?? undefined, denial.at),
        ),
      );
    },
    reload: () => loadShared(),
  };
  return denyList;
}
