import type { TopicPayload } from '@necp/contracts';
import { type Skill, startingSkillsByClass } from '../domain/crafting.ts';
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

/**
 * The character's crafting skills. character-service does not yet serve skills to services, so these
 * are the class's starting skills (shared/DOMAIN.md); an unknown character has none.
 */
export async function skillsOf(db: EconomyDb, characterId: string): Promise<Partial<Record<Skill, number>>> {
  const character = await findCharacter(db, characterId);
  return character ? (startingSkillsByClass[character.characterClass] ?? {}) : {};
}
