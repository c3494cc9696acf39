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

/** The economy's tables, as Kysely sees them. */
export interface EconomyTables {
  'mvp_core.economy_characters': EconomyCharacterTable;
  'mvp_core.ledger_accounts': LedgerAccountTable;
  'mvp_core.ledger_transfers': LedgerTransferTable;
}
