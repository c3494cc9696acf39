import { sql } from 'kysely';
import type { EconomyDb } from './tables.ts';

export interface AssetSums {
  asset: string;
  /** Sum of the balance columns over every account of the asset. */
  sum: number;
  accounts: number;
  /** Sum of what the immutable transfers say the balances are. */
  recomputedSum: number;
  /**
   * Accounts whose balance or held column disagrees with their transfers, and transfers naming an
   * account that does not exist (no foreign key checks that: migrations/014).
   */
  mismatchedAccounts: number;
}

interface SumsRow {
  asset: string;
  sum: number | string;
  accounts: number | string;
  recomputed_sum: number | string;
  mismatched: number | string;
}

/**
 * Per asset, the running columns summed (the house's with its unfolded journal), and every account
 * recomputed from its transfers and compared; one statement, so one snapshot of both.
 */
export async function ledgerSums(db: EconomyDb): Promise<AssetSums[]> {
  const result = await sql<SumsRow>`
    WITH movements AS (
      SELECT debit_account_id AS account_id,
             CASE kind WHEN 'pending' THEN 0 ELSE -amount END AS balance,
             CASE kind WHEN 'pending' THEN amount ELSE -released END AS held
        FROM mvp_core.ledger_transfers
      UNION ALL
      SELECT credit_account_id, amount, 0 FROM mvp_core.ledger_transfers WHERE kind IN ('posted', 'post')
    ),
    recomputed AS (
      SELECT account_id, sum(balance) AS balance, sum(held) AS held FROM movements GROUP BY account_id
    ),
    -- The house's credits not folded into its balance yet (migrations/012): part of its balance.
    unfolded AS (
      SELECT account_id, sum(amount) AS amount FROM mvp_core.ledger_house_journal GROUP BY account_id
    ),
    accounts AS (
      SELECT a.id, a.asset, a.balance + coalesce(j.amount, 0) AS balance, a.held
        FROM mvp_core.ledger_accounts a LEFT JOIN unfolded j ON j.account_id = a.id
    ),
    orphans AS MATERIALIZED (
      SELECT t.asset FROM mvp_core.ledger_transfers t
       WHERE NOT EXISTS (SELECT FROM mvp_core.ledger_accounts x WHERE x.id = t.debit_account_id)
          OR NOT EXISTS (SELECT FROM mvp_core.ledger_accounts x WHERE x.id = t.credit_account_id)
    )
    SELECT a.asset,
           sum(a.balance) AS sum,
           count(*) AS accounts,
           coalesce(sum(r.balance), 0) AS recomputed_sum,
           count(*) FILTER (WHERE a.balance <> coalesce(r.balance, 0) OR a.held <> coalesce(r.held, 0))
             + (SELECT count(*) FROM orphans o WHERE o.asset = a.asset) AS mismatched
      FROM accounts a LEFT JOIN recomputed r ON r.account_id = a.id
     GROUP BY a.asset ORDER BY a.asset`.execute(db);
  return result.rows.map((row) => ({
    asset: row.asset,
    sum: Number(row.sum),
    accounts: Number(row.accounts),
    recomputedSum: Number(row.recomputed_sum),
    mismatchedAccounts: Number(row.mismatched),
  }));
}
