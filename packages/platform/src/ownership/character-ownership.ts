import { serviceAuthorization } from '../auth/service-token.ts';
import type { Cache } from '../cache/cache.ts';
import { type PlatformConfig, type ServiceName, serviceUrl } from '../config.ts';
import { createInternalClient, type InternalClient, upstreamBadAnswer } from '../http/internal-client.ts';
import { AppError } from '../problem.ts';
import { isUuid } from '../uuid.ts';

/** The account owning a live character, or null when it does not exist or is deleted. */
export type OwnerLookup = (characterId: string) => Promise<string | null>;

export interface CharacterOwnership {
  ownerOf(characterId: string): Promise<string | null>;
  /** 404 NOT_FOUND when the character does not exist (or is deleted), 403 CHARACTER_NOT_OWNED when it is another's. */
  assertOwned(accountId: string, characterId: string): Promise<void>;
  /** 404 NOT_FOUND when the character does not exist (or is deleted), whoever owns it. */
  assertLive(characterId: string): Promise<void>;
  /** Forgets a cached answer; character-service calls it when a character is deleted or restored. */
  invalidate(characterId: string): Promise<void>;
}

/**
 * Short on purpose: in one process or over a shared Redis, a delete invalidates at once; services
 * with a cache of their own (memory, separate processes) see a deletion within this time.
 */
export const CharacterOwnerTtlMs = 5_000;
/** 404 NOT_FOUND: the character does not exist or is deleted. */
export function characterNotFound(): AppError {
  return new AppError('NOT_FOUND', 'No such character');
}

/** 403 CHARACTER_NOT_OWNED: the character is another account's. */
export function characterNotOwned(): AppError {
  return new AppError('CHARACTER_NOT_OWNED', 'The character belongs to another account');
}

/** "Does not exist" is cached briefly too, so a flood of bogus ids does not reach character-service. */
export const CharacterNotFoundTtlMs = 1_000;
const NoOwner = '-';

/** UUIDs are case-insensitive: every spelling of one id shares (and invalidates) one entry. */
export function characterOwnerCacheKey(characterId: string): string {
  return `character:owner:${characterId.toLowerCase()}`;
}

export interface CharacterOwnershipOptions {
  cache: Cache;
  lookup: OwnerLookup;
  ttlMs?: number;
  notFoundTtlMs?: number;
}

export function createCharacterOwnership(options: CharacterOwnershipOptions): CharacterOwnership {
  const ttlMs = options.ttlMs ?? CharacterOwnerTtlMs;
  const notFoundTtlMs = options.notFoundTtlMs ?? CharacterNotFoundTtlMs;
  const inFlight = new Map<string, Promise<string | null>>();

  const fetchOwner = async (characterId: string): Promise<string | null> => {
    const owner = await options.lookup(characterId);
    await options.cache.set(characterOwnerCacheKey(characterId), owner ?? NoOwner, owner ? ttlMs : notFoundTtlMs);
    return owner;
  };

  const ownerOf = async (characterId: string): Promise<string | null> => {
    if (!isUuid(characterId)) return null;
    const cached = await options.cache.get(characterOwnerCacheKey(characterId));
    if (cached !== null) return cached === NoOwner ? null : cached;
    // Concurrent requests for one character share a single lookup.
    let pending = inFlight.get(characterId);
    if (!pending) {
      pending = fetchOwner(characterId).finally(() => inFlight.delete(characterId));
      inFlight.set(characterId, pending);
    }
    return pending;
  };

  const assertOwned = async (accountId: string, characterId: string) => {
    const owner = await ownerOf(characterId);
    if (owner === null) throw characterNotFound();
    if (owner !== accountId) throw characterNotOwned();
  };

  return {
    ownerOf,
    assertOwned,
    async assertLive(characterId) {
      if ((await ownerOf(characterId)) === null) throw characterNotFound();
    },
    async invalidate(characterId) {
      await options.cache.delete(characterOwnerCacheKey(characterId));
    },
  };
}

export interface HttpOwnerLookupOptions {
  /** character-service's base address (CHARACTER_URL). */
  baseUrl: string;
  /** The `Authorization` header for the call: a client-credentials token with role `service`. */
  authorization?: () => Promise<string>;
  timeoutMs?: number;
}

/**
 * A client for character-service's internal endpoints (`/internal/v1/characters/...`, role
 * `service`), with the failure answers of `createInternalClient`.
 */
export function characterServiceClient(options: HttpOwnerLookupOptions): InternalClient {
  return createInternalClient({ ...options, upstream: 'character-service' });
}

/** `service`'s client for character-service, from configuration: CHARACTER_URL and its own token. */
export function characterServiceClientFor(config: PlatformConfig, name: ServiceName): InternalClient {
  return characterServiceClient({
    baseUrl: serviceUrl(config, 'character'),
    authorization: serviceAuthorization(config, name),
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });
}

/** Asks character-service's internal endpoint (role `service`) who owns a character. */
export function ownerLookupVia(client: InternalClient): OwnerLookup {
  return async (characterId) => {
    const body = (await client.getJson(`/internal/v1/characters/${characterId}`, 'an ownership check')) as {
      accountId?: unknown;
    } | null;
    if (body === null) return null;
    if (typeof body.accountId !== 'string') {
      throw upstreamBadAnswer('character-service answered an ownership check without accountId');
    }
    return body.accountId;
  };
}
