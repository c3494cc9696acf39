import type { PlatformTables } from '@necp/platform';
import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { JobStatus, WorkshopStatus } from '../domain/crafting.ts';
import type { EscrowStatus } from '../domain/escrow.ts';
import type { AccountKind } from '../domain/ledger.ts';
import type { TransferKind } from '../domain/movements.ts';

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

export interface EscrowClosedOrderTable {
  order_id: string;
  order_status: string;
  closed_at: Timestamp;
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

export interface WorkshopTable {
  id: string;
  district: string;
  capacity: number;
  status: ColumnType<WorkshopStatus, WorkshopStatus | undefined, WorkshopStatus>;
  updated_at: Timestamp;
}

type Json<T> = ColumnType<T, string, string>;

export interface CraftingJobTable {
  id: string;
  character_id: string;
  blueprint_id: string;
  workshop_id: string;
  quantity: number;
  output_template_id: string;
  output_quantity: number;
  linked_order_id: string | null;
  status: JobStatus;
  materials: Json<Record<string, number>>;
  holds: Json<Record<string, string>>;
  consumed: ColumnType<Record<string, number>, string | undefined, string>;
  duration_seconds: number;
  progress_seconds: ColumnType<number, number | undefined, number>;
  time_scale: number;
  started_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  due_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  reported_percent: ColumnType<number, number | undefined, number>;
  queued_at: Timestamp;
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  updated_at: Timestamp;
}

export interface DistrictStressTable {
  district: string;
  tier: string;
  updated_at: Timestamp;
}

/** The economy's tables, as Kysely sees them. */
export interface EconomyTables {
  'mvp_core.crafting_workshops': WorkshopTable;
  'mvp_core.crafting_jobs': CraftingJobTable;
  'mvp_core.district_stress': DistrictStressTable;
  'mvp_core.escrows': EscrowTable;
  'mvp_core.escrow_history': EscrowHistoryTable;
  'mvp_core.escrow_closed_orders': EscrowClosedOrderTable;
  'mvp_core.economy_characters': EconomyCharacterTable;
  'mvp_core.ledger_accounts': LedgerAccountTable;
  'mvp_core.ledger_transfers': LedgerTransferTable;
}

/** Economy's database as its store sees it: its tables and the platform's (the outbox, Idempotency-Keys). */
export type EconomyDb = Kysely<EconomyTables & PlatformTables>;
/** A transaction over them: a change and its outbox event commit together. */
export type Trx = Transaction<EconomyTables & PlatformTables>;
