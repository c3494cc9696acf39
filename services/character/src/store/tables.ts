import type { Skills } from '@necp/contracts';
import type { PlatformTables } from '@necp/platform';
import type { ColumnType, Kysely } from 'kysely';
import type { Attributes } from '../domain/rules.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: read back parsed, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

export type Appearance = Record<string, string>;

export interface CharacterTable {
  id: string;
  account_id: string;
  name: string;
  name_key: string;
  origin: string;
  class: string;
  faction: string | null;
  appearance: Json<Appearance>;
  district: string;
  attributes: Json<Attributes>;
  skills: Json<Skills>;
  level: number;
  xp: number;
  health: number;
  reputation: number;
  version: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface InventoryItemTable {
  id: string;
  character_id: string;
  template_id: string;
  quantity: number;
  slot: string | null;
  durability: number | null;
  created_at: Timestamp;
}

export interface InventoryGrantTable {
  source: string;
  source_id: string;
  character_id: string;
  template_id: string;
  quantity: number;
  response: Json<unknown>;
  created_at: Timestamp;
}

export interface CharacterTables {
  'mvp_core.characters': CharacterTable;
  'mvp_core.inventory_items': InventoryItemTable;
  'mvp_core.inventory_grants': InventoryGrantTable;
}

export type CharacterDb = Kysely<CharacterTables & PlatformTables>;
/** Queries that run inside or outside a transaction (a Transaction is a Kysely). */
export type Queryable = CharacterDb;
