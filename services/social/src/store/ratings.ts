import { prepared } from '@necp/platform';
import { type AliasedRawBuilder, type RawBuilder, sql } from 'kysely';
import type { CustomerHistory, ExecutorHistory } from '../domain/ratings.ts';
import type { RatingTable, Reader, Trx } from './tables.ts';

export type RatingRole = RatingTable['role'];

const counted = (value: unknown) => Number(value ?? 0);

/** A character in a history query: its id, or a column of the statement around it. */
type Who = string | RawBuilder<unknown>;

/** The orders a history counts: the table, or the orders as a change in the same statement leaves them. */
const storedOrders = sql`mvp_core.social_orders`;

/** The ratings a character's reviews gave it in `role`, as a column of the history's own query. */
const ratingsColumn = (characterId: Who, role: RatingRole) => sql`(
  SELECT coalesce(array_agg(rv.rating), '{}'::integer[]) FROM mvp_core.social_reviews rv
  WHERE rv.subject_character_id = ${characterId} AND rv.subject_role = ${role}) AS ratings`;

const ratingsOfRow = (row: Record<string, unknown>) => ((row.ratings as unknown[] | undefined) ?? []).map(Number);

/**
 * A character's history as executor, at `now`: orders past their deadline and not delivered count
 * late, and so does a delivery the clock had already seen overdue. One row.
 */
const executorHistoryQuery = (characterId: Who, now: Date, rules: HistoryRules, orders = storedOrders) => sql`
    SELECT
      count(*) FILTER (WHERE status IN ('completed', 'resolved') OR status = 'cancelled') AS finished,
      count(*) AS accepted,
      count(*) FILTER (WHERE status = 'completed') AS completed,
      count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
      count(*) FILTER (WHERE delivered_at IS NOT NULL AND delivered_at <= deadline AND NOT overdue) AS delivered_on_time,
      count(*) FILTER (WHERE status IN ('accepted', 'in_progress') AND (overdue OR deadline < ${now})) AS overdue,
      count(*) FILTER (WHERE status = 'resolved' AND executor_share_percent < ${rules.lostBelowPercent}) AS disputes_lost,
      count(*) FILTER (WHERE status = 'cancelled') AS cancelled_after_accept,
      count(*) FILTER (WHERE status = 'completed' AND reward >= ${rules.bigContractReward}) AS completed_big,
      ${ratingsColumn(characterId, 'executor')}
    FROM ${orders} AS o
    WHERE executor_character_id = ${characterId} AND accepted_at IS NOT NULL`;

const executorHistoryOf = (row: Record<string, unknown>): ExecutorHistory => ({
  finished: counted(row.finished),
  accepted: counted(row.accepted),
  completed: counted(row.completed),
  delivered: counted(row.delivered),
  deliveredOnTime: counted(row.delivered_on_time),
  overdue: counted(row.overdue),
  ratings: ratingsOfRow(row),
  disputesLost: counted(row.disputes_lost),
  cancelledAfterAccept: counted(row.cancelled_after_accept),
  completedBig: counted(row.completed_big),
});

/** A character's history as customer: its orders that reached `accepted`. One row. */
const customerHistoryQuery = (characterId: Who, orders = storedOrders) => sql`
    SELECT
      count(*) FILTER (WHERE o.status IN ('completed', 'resolved', 'cancelled')) AS finished,
      count(*) AS accepted,
      count(*) FILTER (WHERE o.status = 'completed') AS completed,
      count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM mvp_core.social_disputes d WHERE d.order_id = o.order_id)) AS disputes,
      count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM mvp_core.social_orders earlier
        WHERE earlier.customer_character_id = o.customer_character_id
          AND earlier.executor_character_id = o.executor_character_id
          AND earlier.accepted_at < o.accepted_at)) AS rehired,
      ${ratingsColumn(characterId, 'customer')}
    FROM ${orders} AS o
    WHERE o.customer_character_id = ${characterId} AND o.accepted_at IS NOT NULL`;

const customerHistoryOf = (row: Record<string, unknown>): CustomerHistory => ({
  finished: counted(row.finished),
  accepted: counted(row.accepted),
  completed: counted(row.completed),
  ratings: ratingsOfRow(row),
  disputes: counted(row.disputes),
  rehired: counted(row.rehired),
});

/** The numbers of the executor's history that are configuration (shared/DOMAIN.md). */
export interface HistoryRules {
  bigContractReward: number;
  lostBelowPercent: number;
}

export type PartyHistory =
  | { characterId: string; role: 'executor'; history: ExecutorHistory }
  | { characterId: string; role: 'customer'; history: CustomerHistory };

/** A party of a history query: a character (an id, or a column of the statement around it) in a role. */
export interface HistoryParty {
  characterId: Who;
  role: RatingRole;
}

/**
 * The histories of `parties` as columns `p0`, `p1`, … of one row, one JSON object each, counted over
 * `orders` (the table unless a change in the same statement says how the orders stand after it).
 */
export function historyColumns(
  parties: readonly HistoryParty[],
  now: Date,
  rules: HistoryRules,
  orders = storedOrders,
): AliasedRawBuilder<Record<string, unknown> | null, string>[] {
  return parties.map(({ characterId, role }, index) => {
    const query =
      role === 'executor'
        ? executorHistoryQuery(characterId, now, rules, orders)
        : customerHistoryQuery(characterId, orders);
    return sql<Record<string, unknown> | null>`(SELECT row_to_json(h) FROM (${query}) h)`.as(`p${index}`);
  });
}

/** The histories `historyColumns` read into `row`, for the characters they turned out to be. */
export function historiesOf(
  row: Record<string, unknown>,
  parties: readonly { characterId: string; role: RatingRole }[],
): PartyHistory[] {
  return parties.map(({ characterId, role }, index) => {
    const found = (row[`p${index}`] as Record<string, unknown> | null | undefined) ?? {};
    return role === 'executor'
      ? { characterId, role, history: executorHistoryOf(found) }
      : { characterId, role, history: customerHistoryOf(found) };
  });
}

/** The histories of `parties` (a character in a role each), in one round trip: one JSON row per party. */
export async function partyHistories(
  db: Reader,
  parties: readonly { characterId: string; role: RatingRole }[],
  now: Date,
  rules: HistoryRules,
): Promise<PartyHistory[]> {
  if (parties.length === 0) return [];
  const { rows } = await sql<Record<string, unknown>>`SELECT ${sql.join(historyColumns(parties, now, rules))}`.execute(
    db,
  );
  return historiesOf(rows[0] ?? {}, parties);
}

export function readRatings(db: Reader, characterId: string) {
  return db.selectFrom('mvp_core.social_ratings').selectAll().where('character_id', '=', characterId).execute();
}

/** Records what the histories earned now; the peak only rises, and the idle clock restarts when an order ended. */
export async function saveEarned(
  trx: Reader,
  ratings: readonly { characterId: string; role: RatingRole; earned: number }[],
  { orderEnded, now }: { orderEnded: boolean; now: Date },
): Promise<void> {
  if (ratings.length === 0) return;
  const lastOrderAt = orderEnded ? now : null;
  const upsert = trx
    .insertInto('mvp_core.social_ratings')
    .values(
      ratings.map(({ characterId, role, earned }) => ({
        character_id: characterId,
        role,
        earned,
        peak: earned,
        score: earned,
        last_order_at: lastOrderAt,
        updated_at: now,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['character_id', 'role']).doUpdateSet({
        earned: (eb) => eb.ref('excluded.earned'),
        score: (eb) => eb.ref('excluded.earned'),
        peak: sql`greatest(mvp_core.social_ratings.peak, excluded.earned)`,
        last_order_at: sql`coalesce(excluded.last_order_at, mvp_core.social_ratings.last_order_at)`,
        updated_at: now,
      }),
    );
  // A text per number of ratings (an order's end writes its two parties'): a named statement each.
  await prepared(upsert).execute();
}

/** Where a page of idle scores ended: the next page starts after it. */
export interface IdleKey {
  lastOrderAt: Date;
  characterId: string;
  role: RatingRole;
}

/** Scores idle since before `idleSince`, after `after`, locked and skipped by a racing tick. */
export function idleRatings(trx: Trx, idleSince: Date, limit: number, after: IdleKey | undefined) {
  let query = trx.selectFrom('mvp_core.social_ratings').selectAll().where('last_order_at', '<', idleSince);
  if (after) {
    query = query.where(
      (eb) => eb.refTuple('last_order_at', 'character_id', 'role'),
      '>',
      (eb) => eb.tuple(after.lastOrderAt, after.characterId, after.role),
    );
  }
  return query
    .orderBy('last_order_at')
    .orderBy('character_id')
    .orderBy('role')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function setScore(trx: Trx, characterId: string, role: RatingRole, score: number, now: Date) {
  await trx
    .updateTable('mvp_core.social_ratings')
    .set({ score, updated_at: now })
    .where('character_id', '=', characterId)
    .where('role', '=', role)
    .execute();
}
