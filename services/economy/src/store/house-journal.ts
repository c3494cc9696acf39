import { prepared } from '@necp/platform';
import { sql } from 'kysely';
import type { EconomyDb } from './tables.ts';

/**
 * Moves the house's journalled credits (migrations/012_house_journal.sql) into its balance: one
 * statement, so a row is either still in the journal or in the balance, never both or neither. It sees
 * only rows committed when it starts; a racing fold skips the rows this one deletes. Answers how many
 * rows it folded.
 */
export async function foldHouseJournal(db: EconomyDb): Promise<number> {
  const { rows } = await prepared(sql<{ folded: number | string }>`
    WITH folded AS (
      DELETE FROM mvp_core.ledger_house_journal RETURNING account_id, amount
    ),
    per_account AS (
      SELECT account_id, sum(amount)::bigint AS amount, count(*) AS n FROM folded GROUP BY account_id
    ),
    credited AS (
      UPDATE mvp_core.ledger_accounts AS a SET balance = a.balance + p.amount
        FROM per_account AS p WHERE a.id = p.account_id
    )
    SELECT coalesce(sum(n), 0) AS folded FROM per_account`).execute(db);
  return Number(rows[0]?.folded ?? 0);
}
