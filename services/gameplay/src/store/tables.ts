import type { PlatformTables } from '@necp/platform';
import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { ModSlot } from '../domain/names.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface WeaponModTable {
  weapon_id: string;
  slot: ModSlot;
  character_id: string;
  mod_item_id: string;
  mod_id: string;
  installed_at: Timestamp;
}

export type SimulationMode = 'direct' | 'ricochet' | 'curved_shot';

export interface SimulationTable {
  id: string;
  combat_id: string;
  character_id: string;
  account_id: string;
  weapon_id: string;
  weapon_class: string;
  request: Json<unknown>;
  loadout: Json<unknown>;
  /** bigint: node-postgres reads it as text, PGlite as a number. */
  seed: ColumnType<number | string, number, number>;
  ruleset_version: string;
  ruleset_fingerprint: string;
  result: Json<unknown>;
  mode: SimulationMode;
  hit: boolean;
  damage_dealt: number;
  ricochet_count: number;
  curved_shot_used: boolean;
  district: string | null;
  linked_order_id: string | null;
  created_at: Timestamp;
}

/** gameplay's tables, as Kysely sees them. */
export interface GameplayTables {
  'mvp_core.gameplay_weapon_mods': WeaponModTable;
  'mvp_core.gameplay_simulations': SimulationTable;
}

export type GameplayDb = Kysely<GameplayTables & PlatformTables>;
export type Trx = Transaction<GameplayTables & PlatformTables>;
export type Queryable = GameplayDb | Trx;
