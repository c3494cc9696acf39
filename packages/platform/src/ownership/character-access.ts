import type { AuthContext } from '../auth/claims.ts';
import { hasAnyRole } from '../auth/http-auth.ts';
import type { Cache } from '../cache/cache.ts';
import type { InternalClient } from '../http/internal-client.ts';
import { type CharacterOwnership, createCharacterOwnership, ownerLookupVia } from './character-ownership.ts';

/** A character as a service's own projection knows it; undefined when the projection has not seen it. */
export interface ProjectedCharacter {
  accountId: string;
  deleted: boolean;
}

export type CharacterProjection = (characterId: string) => Promise<ProjectedCharacter | undefined>;

export interface CharacterAccessOptions {
  /**
   * The service's own view of characters (economy's projection of `characters.lifecycle`,
   * character-service's own table). Asked first: no network hop on the hot path.
   */
  projection?: CharacterProjection;
  /**
   * Whether a character the projection has not seen (its created event still in flight) is asked of
   * character-service; character-service itself, whose table is the truth, says false.
   */
  askCharacterService?: boolean;
}

export interface CharacterAccess {
  ownerOf(characterId: string): Promise<string | null>;
  /**
   * The character must exist (404 NOT_FOUND) and be the caller's (403 CHARACTER_NOT_OWNED), unless
   * the caller has one of `bypassRoles` (services and operators acting for the game).
   */
  assertCallerOwns(caller: AuthContext, characterId: string, bypassRoles?: readonly string[]): Promise<void>;
  /** 404 NOT_FOUND unless the character exists and is not deleted, whoever asks. */
  assertLive(characterId: string): Promise<void>;
  /** Whether the caller owns one of `characterIds` (known, not deleted). */
  ownsAny(caller: AuthContext, characterIds: readonly (string | null)[]): Promise<boolean>;
  /** Forgets a cached answer (character-service, when a character is deleted or restored). */
  forget(characterId: string): Promise<void>;
}

/** Answers are cached in the shared cache (see `createCharacterOwnership`), so replicas share them. */
export function createCharacterAccess(
  cache: Cache,
  characterService: InternalClient,
  options: CharacterAccessOptions = {},
): CharacterAccess {
  const remote = options.askCharacterService === false ? async () => null : ownerLookupVia(characterService);
  const { projection } = options;
  const ownership: CharacterOwnership = createCharacterOwnership({
    cache,
    lookup: async (characterId) => {
      const known = projection ? await projection(characterId) : undefined;
      if (known) return known.deleted ? null : known.accountId;
      return remote(characterId);
    },
  });
  return {
    ownerOf: ownership.ownerOf,
    async assertCallerOwns(caller, characterId, bypassRoles = []) {
      if (hasAnyRole(caller, bypassRoles)) return;
      await ownership.assertOwned(caller.accountId, characterId);
    },
    assertLive: ownership.assertLive,
    async ownsAny(caller, characterIds) {
      for (const characterId of characterIds) {
        if (characterId && (await ownership.ownerOf(characterId)) === caller.accountId) return true;
      }
      return false;
    },
    forget: ownership.invalidate,
  };
}
