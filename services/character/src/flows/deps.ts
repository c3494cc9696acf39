import type { Cache, CharacterAccess, SqlDatabase, VersionedCopies } from '@necp/platform';
import type { SheetRow } from '../store/characters.ts';
import type { CharacterDb } from '../store/tables.ts';

/** What the composition root (service.ts) builds once; every entry point is given it. */
export interface CharacterDeps {
  /** The platform's handle, for idempotent commands and the consumer's processed-event records. */
  db: SqlDatabase;
  /** The same database, typed with this service's tables. */
  kysely: CharacterDb;
  /** The platform's cached "who owns this character", answered from this service's own table. */
  access: CharacterAccess;
  /** The shared cache, where each change to a loadout moves its version (`loadoutChanged`). */
  cache: Cache;
  /** Rows of sheets read lately, each kept under its loadout version (a write moves it). */
  sheets: VersionedCopies<SheetRow>;
}
