import type { ColumnType, Generated } from 'kysely';
import type { AccountKind } from '../domain/ledger.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface LedgerAccountTable {
  id: Generated<number>;
  kind: AccountKind;
  owner_id: string;
  asset: string;
  balance: ColumnType<number, number | undefined, number>;
  held: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
}

export type TransferKind = 'posted' | 'pending' | 'post' | 'void';

export interface LedgerTransferTable {
  seq: Generated<number>;
  id: string;
  client_ref: string;
  kind: TransferKind;
  debit_account_id: number;
  credit_account_id: number;
  asset: string;
  amount: number;
  pending_id: string | null;
  released: ColumnType<number, number | undefined, number>;
  reason: string;
  memo: string | null;
  actor_id: string | null;
  created_at: Timestamp;
}

export interface EconomyCharacterTable {
  character_id: string;
  account_id: string;
  origin: string;
  class: string;
  deleted: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: Timestamp;
}

export type EscrowStatus = 'locked' | 'released' | 'refunded' | 'split';

export interface EscrowTable {
  order_id: string;
  payer_character_id: string;
  amount: number;
  commission: number;
  status: EscrowStatus;
  hold_transfer_id: string;
  executor_character_id: string | null;
  executor_amount: ColumnType<number, number | undefined, number>;
  refund_amount: ColumnType<number, number | undefined, number>;
  commission_taken: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EscrowHistoryTable {
  id: Generated<number>;
  order_id: string;
  status: EscrowStatus;
  executor_amount: number;
  refund_amount: number;
  commission_taken: number;
  actor_id: string | null;
  source: string;
  at: Timestamp;
}

/** The economy's tables, as Kysely sees them. */
export interface EconomyTables {
  'mvp_core.escrows': EscrowTable;
  'mvp_core.escrow_history': EscrowHistoryTable;
  'mvp_core.economy_characters': EconomyCharacterTable;
  'mvp_core.ledger_accounts': LedgerAccountTable;
  'mvp_core.ledger_transfers': LedgerTransferTable;
}
