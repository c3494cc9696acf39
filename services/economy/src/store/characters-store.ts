import type { TopicPayload } from '@necp/contracts';
import { characterNotFound, type InternalClient, upstreamBadAnswer } from '@necp/platform';
import type { Skill } from '../domain/crafting.ts';
import type { EconomyDb, Trx } from './ledger-store.ts';

export interface KnownCharacter {
  characterId: string;
  accountId: string;
  origin: string;
  characterClass: string;
  deleted: boolean;
}

/** Keeps the projection of a character from its lifecycle event; the latest kind wins. */
export async function recordCharacter(trx: Trx, event: TopicPayload<'characters.lifecycle'>): Promise<void> {
  const deleted = event.kind === 'deleted';
  await trx
    .insertInto('mvp_core.economy_characters')
    .values({
      character_id: event.characterId,
      account_id: event.accountId,
      origin: event.origin,
      class: event.class,
      deleted,
    })
    .onConflict((conflict) =>
      conflict.column('character_id').doUpdateSet({
        origin: event.origin,
        class: event.class,
        ...(event.kind === 'updated' ? {} : { deleted }),
        updated_at: new Date(),
      }),
    )
    .execute();
}

export async function findCharacter(db: EconomyDb, characterId: string): Promise<KnownCharacter | undefined> {
  const row = await db
    .selectFrom('mvp_core.economy_characters')
    .selectAll()
    .where('character_id', '=', characterId)
    .executeTakeFirst();
  return row
    ? {
        characterId: row.character_id,
        accountId: row.account_id,
        origin: row.origin,
        characterClass: row.class,
        deleted: row.deleted,
      }
    : undefined;
}

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
