import type { Skills } from '@necp/contracts';
import { decodeKeysetCursor, encodeKeysetCursor } from '@necp/platform';
import { type Selectable, sql } from 'kysely';
import type { NewCharacterStats } from '../domain/character.ts';
import type { CharacterRecord } from '../domain/sheet.ts';
import type { Appearance, CharacterTable, Queryable } from './tables.ts';

type CharacterRow = Selectable<CharacterTable>;

function recordOf(row: CharacterRow): CharacterRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    nameKey: row.name_key,
    origin: row.origin,
    class: row.class,
    faction: row.faction,
    appearance: row.appearance,
    district: row.district,
    attributes: row.attributes,
    skills: row.skills,
    level: row.level,
    xp: row.xp,
    health: row.health,
    reputation: row.reputation,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

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

/** A unique index refused the row (two live characters with one name, one grant key twice). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** The character, deleted or not. `forUpdate` locks its row, which is also the lock on its inventory. */
export async function findCharacter(
  db: Queryable,
  characterId: string,
  options: { forUpdate?: boolean } = {},
): Promise<CharacterRecord | undefined> {
  let query = db.selectFrom('mvp_core.characters').selectAll().where('id', '=', characterId);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && recordOf(row);
}

/**
 * The sheet's read in one round trip: the character and the template ids in its equipment slots
 * (all the derived stats need), instead of the whole inventory.
 */
/** A character's row with the template ids of what it has equipped: all a sheet shows. */
export type SheetRow = CharacterRecord & { equipped: string[] };

export async function findCharacterWithEquipment(db: Queryable, characterId: string): Promise<SheetRow | undefined> {
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
  if (!found) return undefined;
  const { equipped_templates: equipped, ...row } = found;
  return { ...recordOf(row), equipped };
}

export interface CharacterPage {
  characters: CharacterRecord[];
  nextCursor: string | null;
}

/** Keyset pagination on (created_at, id): the cursor is the last row's pair, opaque to clients. */
export async function listCharacters(
  db: Queryable,
  accountId: string,
  options: { deleted: boolean; limit: number; cursor?: string | undefined },
): Promise<CharacterPage> {
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
    characters: page.map(recordOf),
    nextCursor: rows.length > options.limit && last ? encodeKeysetCursor({ at: last.created_at, id: last.id }) : null,
  };
}

/** What a new character is given; the rest starts as the stats say (or as the table's defaults). */
export type NewCharacter = Pick<
  CharacterRecord,
  'id' | 'accountId' | 'name' | 'nameKey' | 'origin' | 'class' | 'faction' | 'appearance'
> & { stats: NewCharacterStats };

export async function insertCharacter(trx: Queryable, character: NewCharacter): Promise<CharacterRecord> {
  const now = new Date();
  const { stats } = character;
  const row = await trx
    .insertInto('mvp_core.characters')
    .values({
      id: character.id,
      account_id: character.accountId,
      name: character.name,
      name_key: character.nameKey,
      origin: character.origin,
      class: character.class,
      faction: character.faction,
      appearance: JSON.stringify(character.appearance),
      district: stats.district,
      attributes: JSON.stringify(stats.attributes),
      skills: JSON.stringify(stats.skills),
      level: stats.level,
      xp: stats.xp,
      health: stats.health,
      reputation: stats.reputation,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return recordOf(row);
}

export interface CharacterChange {
  appearance?: Appearance;
  district?: string;
  health?: number;
  deleted?: boolean;
  skills?: Skills;
}

/** Every change to the sheet bumps its version, which is its ETag. */
export async function updateCharacter(
  trx: Queryable,
  characterId: string,
  change: CharacterChange,
): Promise<CharacterRecord> {
  const now = new Date();
  const row = await trx
    .updateTable('mvp_core.characters')
    .set((eb) => ({
      version: eb('version', '+', 1),
      updated_at: now,
      ...(change.appearance === undefined ? {} : { appearance: JSON.stringify(change.appearance) }),
      ...(change.district === undefined ? {} : { district: change.district }),
      ...(change.health === undefined ? {} : { health: change.health }),
      ...(change.skills === undefined ? {} : { skills: JSON.stringify(change.skills) }),
      ...(change.deleted === undefined ? {} : { deleted_at: change.deleted ? now : null }),
    }))
    .where('id', '=', characterId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return recordOf(row);
}
