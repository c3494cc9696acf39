import {
  AppError,
  type AuthContext,
  type Authenticator,
  authOf,
  type CharacterOwnership,
  createCharacterOwnership,
  type HttpApp,
  hasAnyRole,
  type InternalClient,
  ownerLookupVia,
  type ServiceContext,
  serviceAuthentication,
} from '@necp/platform';
import type { FastifyRequest } from 'fastify';
import { findCharacter } from './store/characters-store.ts';
import type { EconomyDb } from './store/ledger-store.ts';

/** Roles allowed to act on any character's wallet. */
export const Roles = {
  service: 'service',
  admin: 'admin',
  arbiter: 'arbiter',
  operator: 'world.operator',
} as const;

export interface Access {
  authenticate: Authenticator['authenticate'];
  requireRole: Authenticator['requireRole'];
  caller(request: FastifyRequest): AuthContext;
  /**
   * The character must exist (404) and belong to the caller (403 CHARACTER_NOT_OWNED), unless the
   * caller has one of `bypassRoles` (services and operators acting for the game).
   */
  assertCharacter(request: FastifyRequest, characterId: string, bypassRoles?: readonly string[]): Promise<void>;
  /** The character must exist and not be deleted (404), whoever asks: nothing is paid to a character no one can play. */
  assertExists(characterId: string): Promise<void>;
  /** 429 RATE_LIMITED once `key` was used `max` times in the current window of `windowMs`. */
  limit(key: string, max: number, windowMs: number): Promise<void>;
  /** Whether the caller owns one of `characterIds` (known, not deleted). */
  ownsAny(request: FastifyRequest, characterIds: (string | null)[]): Promise<boolean>;
}

/**
 * Who owns a character: economy's own projection of characters.lifecycle answers first (no network
 * hop on the hot path, and it works while character-service is down); a character economy has not
 * seen yet (its created event still in flight) is asked of character-service. Answers are cached.
 */
export function economyOwnership(
  context: ServiceContext,
  db: EconomyDb,
  characters: InternalClient,
): CharacterOwnership {
  const remote = ownerLookupVia(characters);
  return createCharacterOwnership({
    cache: context.cache,
    lookup: async (characterId) => {
      const known = await findCharacter(db, characterId);
      if (known) return known.deleted ? null : known.accountId;
      return remote(characterId);
    },
  });
}

/** `characters`: economy's client for character-service's internal endpoints. */
export function createAccess(app: HttpApp, context: ServiceContext, db: EconomyDb, characters: InternalClient): Access {
  const authenticator = serviceAuthentication(app, context);
  const ownership = economyOwnership(context, db, characters);
  return {
    authenticate: authenticator.authenticate,
    requireRole: authenticator.requireRole,
    caller: authOf,
    async assertCharacter(request, characterId, bypassRoles = []) {
      const auth = authOf(request);
      if (hasAnyRole(auth, bypassRoles)) return;
      await ownership.assertOwned(auth.accountId, characterId);
    },
    assertExists: ownership.assertLive,
    async limit(key, max, windowMs) {
      const window = Math.floor(Date.now() / windowMs);
      const { value: used } = await context.cache.increment(`economy:rate:${key}:${window}`, 1, windowMs);
      if (used > max) {
        const retryAfter = Math.max(1, Math.ceil(((window + 1) * windowMs - Date.now()) / 1000));
        throw new AppError('RATE_LIMITED', `At most ${max} requests per ${windowMs / 1000} s`, {
          headers: {
            'retry-after': String(retryAfter),
            'ratelimit-limit': String(max),
            'ratelimit-remaining': '0',
            'ratelimit-reset': String(retryAfter),
          },
        });
      }
    },
    async ownsAny(request, characterIds) {
      const auth = authOf(request);
      for (const characterId of characterIds) {
        if (characterId && (await ownership.ownerOf(characterId)) === auth.accountId) return true;
      }
      return false;
    },
  };
}
