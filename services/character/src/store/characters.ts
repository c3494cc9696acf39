import { characterNotFound, characterNotOwned, decodeKeysetCursor, encodeKeysetCursor } from '@necp/platform';
import { type Selectable, sql } from 'kysely';
import type { CharacterTable, Queryable } from './tables.ts';

export type CharacterRow = Selectable<CharacterTable>;

/**
 * Serialises the slot check of one account: two concurrent creates (or a create and a restore)
 * cannot both see a free third slot. Advisory, because an account with no character has no row to lock.
 */
export async function lockAccount(trx: Queryable, accountId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`character-slots:${accountId}`}, 0))`.execute(trx);
}

export async function countLive(trx: Queryable, accountId: string): Promise<number> {
  const row = await trx
    .selectFrom('mvp_core.characters')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('account_id', '=', accountId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function nameTaken(trx: Queryable, nameKey: string): Promise<boolean> {
  const row = await trx
    .selectFrom('mvp_core.characters')
    .select('id')
    .where('name_key', '=', nameKey)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/**
 * The character, checked against the caller in the same query's result: absent or deleted is 404,
 * another account's is 403. `forUpdate` locks the row, which is also the lock on its inventory.
 */
export async function ownedCharacter(
  db: Queryable,
  characterId: string,
  accountId: string,
  options: { forUpdate?: boolean; includeDeleted?: boolean } = {},
): Promise<CharacterRow> {
  const row = await findCharacter(db, characterId, options);
  if (!row || (row.deleted_at !== null && !options.includeDeleted)) {
    throw characterNotFound();
  }
  if (row.account_id !== accountId) {
    throw characterNotOwned();
  }
  return row;
}

export async function findCharacter(
  db: Queryable,
  characterId: string,
  options: { forUpdate?: boolean } = {},
): Promise<CharacterRow | undefined> {
  let query = db.selectFrom('mvp_core.characters').selectAll().where('id', '=', characterId);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** A live character for actions that are not the owner's (grants, the internal endpoint). */
export async function liveCharacter(
  db: Queryable,
  characterId: string,
  options: { forUpdate?: boolean } = {},
): Promise<CharacterRow> {
  const row = await findCharacter(db, characterId, options);
  if (!row || row.deleted_at !== null) throw characterNotFound();
  return row;
}

export interface ListPage {
  rows: CharacterRow[];
  nextCursor: string | null;
}

/** Keyset pagination on (created_at, id): the cursor is the last row's pair, opaque to clients. */
export async function listCharacters(
  db: Queryable,
  accountId: string,
  options: { deleted: boolean; limit: number; cursor?: string | undefined },
): Promise<ListPage> {
  let query = db
    .selectFrom('mvp_core.characters')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('deleted_at', options.deleted ? 'is not' : 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(options.limit + 1);
  if (options.cursor) {
    const after = decodeKeysetCursor(options.cursor);
    query = query.where((eb) =>
      eb.or([eb('created_at', '>', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '>', after.id)])]),
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: rows.length > options.limit && last ? encodeKeysetCursor({ at: last.created_at, id: last.id }) : null,
  };
}

/**
 * The sheet's read in one round trip: the owner-checked row and the template ids in equipment
 * slots (all the derived stats need), instead of the whole inventory.
 */
export async function ownedCharacterWithEquipment(
  db: Queryable,
  characterId: string,
  accountId: string,
): Promise<{ row: CharacterRow; equipped: string[] }> {
  const found = await db
    .selectFrom('mvp_core.characters as c')
    .selectAll('c')
    .select(
      sql<
        string[]
      >`array(SELECT i.template_id FROM mvp_core.inventory_items i WHERE i.character_id = c.id AND i.slot IS NOT NULL ORDER BY i.slot)`.as(
        'equipped_templates',
      ),
    )
    .where('c.id', '=', characterId)
    .executeTakeFirst();
  if (!found || found.deleted_at !== null) throw characterNotFound();
  if (found.account_id !== accountId) {
    throw characterNotOwned();
  }
  const { equipped_templates: equipped, ...row } = found;
  return { row, equipped };
}
