/**
 * `mvp_core.ledger_post_transfers` (migrations/011, repeatable/ledger_post_transfers.sql): finds the
 * transfers posted before under each Idempotency-Key, checks the characters against economy's
 * projection, locks the accounts, checks each debit and writes transfers, balances and outbox
 * events for a whole batch in the one statement that calls it.
 */
import { sql } from 'kysely';
import type { AccountKind } from '../domain/ledger.ts';
import type { EconomyDb } from './tables.ts';

/** A transfer's columns as economy's stored functions take them in jsonb (here and store/escrows.ts). */
export interface LedgerTransferItem {
  transfer_id: string;
  client_ref: string;
  debit_kind: AccountKind;
  debit_owner: string;
  credit_kind: AccountKind;
  credit_owner: string;
  asset: string;
  amount: number;
  reason: string;
  actor_id: string | null;
}

/** One item of the function's jsonb argument: the columns of `mvp_core.ledger_post_item`. */
export interface LedgerPostItem extends LedgerTransferItem {
  memo: string | null;
  created_at: Date;
  event_id: string;
  event_topic: string;
  event_key: string;
  event_envelope: unknown;
  event_producer: string;
  event_traceparent: string;
  request_hash: string | null;
  debit_owned_by: string | null;
  credit_must_exist: boolean;
}

/** The function's answer for one item (`item` counts from 1). */
export interface LedgerPostOutcome {
  item: number;
  outcome: 'posted' | 'stored' | 'refused' | 'unknown_party' | 'no_such_character' | 'not_owned';
  request_hash: string | null;
  available: string | null;
  transfer_id: string | null;
  created_at: Date | null;
}

/** Posts `items` in one statement; each gets its own outcome, and a fault fails the statement as a whole. */
export async function postLedgerItems(db: EconomyDb, items: LedgerPostItem[]): Promise<LedgerPostOutcome[]> {
  const json = JSON.stringify(items);
  const { rows } = await sql<LedgerPostOutcome>`SELECT * FROM mvp_core.ledger_post_transfers(${json}::jsonb)`.execute(
    db,
  );
  return rows;
}
