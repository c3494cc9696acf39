import type { SqlDatabase } from '@necp/platform';
import { sql } from 'kysely';
import type { AccountRef } from '../../src/domain/ledger.ts';

/**
 * Holds `account`'s row lock (FOR NO KEY UPDATE, as the ledger's writers take it) in a transaction of
 * its own, as another replica's work would, until
 * the returned release is called (and awaited). Needs a server with concurrent connections.
 */
export async function holdLedgerAccount(db: SqlDatabase, account: AccountRef): Promise<() => Promise<void>> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: () => void = () => undefined;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = db.kysely.transaction().execute(async (trx) => {
    await sql`SELECT id FROM mvp_core.ledger_accounts
      WHERE kind = ${account.kind} AND owner_id = ${account.ownerId} AND asset = ${account.asset} FOR NO KEY UPDATE`.execute(
      trx,
    );
    locked();
    await released;
  });
  await isLocked;
  return async () => {
    release();
    await done;
  };
}
