import type { PlatformTables } from '@necp/platform';
import type { ColumnType, Kysely, Transaction } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface DistrictTable {
  id: string;
  level: number;
  changed_at: Timestamp;
}

export interface UnrestHistoryTable {
  id: string;
  district_id: string;
  at: Timestamp;
  delta: number;
  level_after: number;
  source_type: string;
  source_id: string;
  actor_id: string | null;
  requested_delta: number;
  multiplier: ColumnType<number, number | undefined, number>;
}

export interface EventCounterTable {
  district_id: string;
  kind: string;
  /** bigint: the driver answers a string. */
  count: ColumnType<string | number, number, number>;
}

export interface EscalationDwellTable {
  district_id: string;
  tier: string;
  since: Timestamp;
}

export type ScenarioStatus = 'active' | 'completed' | 'cancelled';

export interface ScenarioTable {
  id: string;
  district_id: string;
  kind: string;
  status: ScenarioStatus;
  origin: 'escalation' | 'operator';
  started_at: Timestamp;
  started_by: string | null;
  ended_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  ended_by: ColumnType<string | null, string | null | undefined, string | null>;
}

/** world's tables, as Kysely sees them. */
export interface WorldTables {
  'mvp_core.world_districts': DistrictTable;
  'mvp_core.world_unrest_history': UnrestHistoryTable;
  'mvp_core.world_event_counters': EventCounterTable;
  'mvp_core.world_escalation_dwell': EscalationDwellTable;
  'mvp_core.world_scenarios': ScenarioTable;
}

export type WorldDb = Kysely<WorldTables & PlatformTables>;
/** A transaction over them: a change and its outbox event commit together. */
export type Trx = Transaction<WorldTables & PlatformTables>;
/** Reads take either. */
export type Reader = WorldDb | Trx;
