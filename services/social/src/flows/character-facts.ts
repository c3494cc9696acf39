import { AppError, type Cache, CharacterOwnerTtlMs, type InternalClient, upstreamBadAnswer } from '@necp/platform';

/** What social needs to know of a character: its owner and its faction (null when it has none). */
export interface CharacterFact {
  accountId: string;
  faction: string | null;
}

/** 404 NOT_FOUND when the character does not exist or is deleted. */
export type CharacterFacts = (characterId: string) => Promise<CharacterFact>;

/** From character-service's internal loadout (`GET /internal/v1/characters/{id}`, role `service`). */
export function characterFactsVia(characterService: InternalClient): CharacterFacts {
  return async (characterId) => {
    const body = (await characterService.getJson(
      `/internal/v1/characters/${characterId}`,
      "a character's faction",
    )) as {
      accountId?: unknown;
      faction?: unknown;
    } | null;
    if (body === null) throw new AppError('NOT_FOUND', 'No such character');
    if (typeof body.accountId !== 'string') {
      throw upstreamBadAnswer("character-service answered a character's faction without accountId");
    }
    return { accountId: body.accountId, faction: typeof body.faction === 'string' ? body.faction : null };
  };
}

/**
 * `facts` through the shared cache for as long as the platform caches a character's owner: a
 * customer posting order after order asks character-service once; a deletion is seen as late as an
 * ownership check sees it. Characters that do not exist are not cached (the 404 is thrown).
 */
export function cachedFacts(cache: Cache, facts: CharacterFacts, ttlMs = CharacterOwnerTtlMs): CharacterFacts {
  return async (characterId) => {
    const key = `social:character-facts:${characterId.toLowerCase()}`;
    const cached = await cache.get(key);
    if (cached !== null) return JSON.parse(cached) as CharacterFact;
    const fact = await facts(characterId);
    await cache.set(key, JSON.stringify(fact), ttlMs);
    return fact;
  };
}
