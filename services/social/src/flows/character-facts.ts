import { AppError, type InternalClient, upstreamBadAnswer } from '@necp/platform';

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
