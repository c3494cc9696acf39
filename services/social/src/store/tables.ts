import type { PlatformTables } from '@necp/platform';
import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { OrderStatus } from '../domain/order-machine.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface OrderTable {
  order_id: string;
  customer_character_id: string;
  customer_account_id: string;
  customer_faction: string | null;
  order_type: string;
  title: string;
  description: string;
  district_id: string;
  reward: number;
  commission: number | null;
  deadline: Timestamp;
  access_level: string;
  invited_character_ids: ColumnType<string[], string, string>;
  min_executor_rating: number | null;
  status: OrderStatus;
  executor_character_id: string | null;
  executor_account_id: string | null;
  executor_share_percent: number | null;
  delivery: ColumnType<unknown, string | null | undefined, string | null>;
  escrow_status: string | null;
  published_at: NullableTimestamp;
  accepted_at: NullableTimestamp;
  delivered_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  overdue: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApplicationTable {
  application_id: string;
  order_id: string;
  character_id: string;
  account_id: string;
  bid: number | null;
  cover_letter: string | null;
  status: 'submitted' | 'withdrawn' | 'accepted' | 'rejected';
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DisputeTable {
  dispute_id: string;
  order_id: string;
  opened_by_character_id: string;
  opened_by_account_id: string;
  reason: string;
  evidence: ColumnType<unknown, string, string>;
  status: 'open' | 'resolved';
  executor_share_percent: number | null;
  note: string | null;
  resolved_by: string | null;
  opened_at: Timestamp;
  resolved_at: NullableTimestamp;
}

export interface ReviewTable {
  order_id: string;
  author_character_id: string;
  subject_character_id: string;
  subject_role: 'executor' | 'customer';
  rating: number;
  comment: string | null;
  created_at: Timestamp;
}

export interface TimelineTable {
  id: Generated<number>;
  order_id: string;
  kind: string;
  from_status: string | null;
  to_status: string | null;
  actor: string;
  detail: ColumnType<unknown, string, string>;
  at: Timestamp;
}

export interface RatingTable {
  character_id: string;
  role: 'executor' | 'customer';
  earned: number;
  peak: number;
  score: number;
  last_order_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface SocialTables {
  'mvp_core.social_orders': OrderTable;
  'mvp_core.social_applications': ApplicationTable;
  'mvp_core.social_disputes': DisputeTable;
  'mvp_core.social_reviews': ReviewTable;
  'mvp_core.social_timeline': TimelineTable;
  'mvp_core.social_ratings': RatingTable;
}

export type SocialDb = Kysely<SocialTables & PlatformTables>;
export type Trx = Transaction<SocialTables & PlatformTables>;
/** A read runs on the database or inside a transaction. */
export type Reader = SocialDb | Trx;
