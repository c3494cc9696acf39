import { type SqlDatabase, type StoredResponse, withIdempotency } from '@necp/platform';
import type { CharacterTables, CharacterTrx } from './tables.ts';

export interface Outcome extends StoredResponse {
  replayed: boolean;
}

/**
 * One transaction for `work`; with an Idempotency-Key, the key's claim and stored answer share it,
 * so a repeated request gets the first answer and changes nothing.
 */
export async function runCommand(
  db: SqlDatabase,
  idempotency: { scope: string; key: string | undefined; request: unknown },
  work: (trx: CharacterTrx) => Promise<StoredResponse>,
): Promise<Outcome> {
  if (idempotency.key !== undefined) {
    return withIdempotency<CharacterTables>(db, { ...idempotency, key: idempotency.key }, work);
  }
  const response = await db
    .typed<CharacterTables>()
    .transaction()
    .execute((trx) => work(trx));
  return { ...response, replayed: false };
}

export function transact<T>(db: SqlDatabase, work: (trx: CharacterTrx) => Promise<T>): Promise<T> {
  return db
    .typed<CharacterTables>()
    .transaction()
    .execute((trx) => work(trx));
}
