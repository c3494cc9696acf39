import type { SqlDatabase } from '@necp/platform';
import { sql } from 'kysely';
import { HOUSE_OWNER } from '../../src/domain/ledger.ts';

/** The house's balance of `asset`: its row's column, what its journal holds unfolded, and their sum. */
export async function houseBalance(db: SqlDatabase, asset: string) {
  const { rows } = await sql<{ column: string; unfolded: string }>`
    SELECT a.balance::text AS column,
      (SELECT coalesce(sum(j.amount), 0)::text FROM mvp_core.ledger_house_journal AS j WHERE j.account_id = a.id)
        AS unfolded
      FROM mvp_core.ledger_accounts AS a WHERE a.kind = 'house' AND a.owner_id = ${HOUSE_OWNER} AND a.asset = ${asset}`.execute(
    db.kysely,
  );
  const column = Number(rows[0]?.column ?? 0);
  const unfolded = Number(rows[0]?.unfolded ?? 0);
  return { column, unfolded, total: column + unfolded };
}
