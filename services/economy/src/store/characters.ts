import type { TopicPayload } from '@necp/contracts';
import type { EconomyDb, Trx } from './tables.ts';

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
