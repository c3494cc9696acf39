-- Transfers and the house's journal name their accounts without foreign keys. Every writer takes an
-- account id from the account's row in the same transaction, having locked it FOR NO KEY UPDATE (the
-- house apart, found in the statement that writes): mvp_core.ledger_post_transfers and
-- mvp_core.ledger_apply_legs (repeatable/), src/store/ledger-accounts.ts for the movements in
-- TypeScript. So the checks proved nothing while they cost two statements and two key-share locks per
-- transfer row (8.4 per order journey), and on the house's row, which every commission credits,
-- concurrent key-share locks from many transactions meant a new MultiXact at nearly every settlement.
-- What keeps it provable now: no account is ever deleted, truncated or given another id (the
-- triggers below), and the ledger audit (src/store/audit.ts) counts a transfer naming a missing
-- account as a mismatch.
ALTER TABLE mvp_core.ledger_transfers DROP CONSTRAINT ledger_transfers_debit_account_id_fkey;
ALTER TABLE mvp_core.ledger_transfers DROP CONSTRAINT ledger_transfers_credit_account_id_fkey;
ALTER TABLE mvp_core.ledger_house_journal DROP CONSTRAINT ledger_house_journal_account_id_fkey;

CREATE TRIGGER ledger_accounts_never_removed BEFORE DELETE OR TRUNCATE ON mvp_core.ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION mvp_core.economy_refuse_change();
CREATE TRIGGER ledger_accounts_ids_fixed BEFORE UPDATE OF id ON mvp_core.ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION mvp_core.economy_refuse_change();
