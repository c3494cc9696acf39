import { characterNotFound, type InternalClient, upstreamBadAnswer } from '@necp/platform';
import type { Skill } from '../domain/crafting.ts';

export type SkillsLookup = (characterId: string) => Promise<Partial<Record<Skill, number>>>;

/**
 * The character's skills as character-service holds them now (`GET /internal/v1/characters/{id}/skills`,
 * asked with economy's service token on every check: skills change, so they are not cached). A
 * character character-service does not have (unknown or deleted) is 404 NOT_FOUND. When it cannot
 * answer, the check fails closed with 503 UPSTREAM_UNAVAILABLE (`Retry-After`) or, for an answer it
 * should not give, 502: nothing is held and no job is made, and the caller may simply try again.
 */
export function remoteSkills(characters: InternalClient): SkillsLookup {
  return async (characterId) => {
    const body = (await characters.getJson(`/internal/v1/characters/${characterId}/skills`, 'a skill check')) as {
      skills?: unknown;
    } | null;
    if (body === null) throw characterNotFound();
    if (!body.skills || typeof body.skills !== 'object') {
      throw upstreamBadAnswer('character-service answered a skill check without skills');
    }
    const skills: Partial<Record<Skill, number>> = {};
    for (const [skill, level] of Object.entries(body.skills)) {
      if (typeof level === 'number') skills[skill as Skill] = level;
    }
    return skills;
  };
}
