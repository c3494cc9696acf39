import { type KeysetPosition, type OutboxRow, outboxValues, pageLimit, prepared } from '@necp/platform';
import { type Expression, type ExpressionBuilder, type Selectable, type SqlBool, sql, type Updateable } from 'kysely';
import { LockedEscrow } from '../domain/escrow-status.ts';
import { type OrderStatus, openStatuses } from '../domain/order-machine.ts';
import { insertEventAfter, insertTimelineAfter, lifecyclePayload } from './after-change.ts';
import { liveApplicationStatuses } from './applications.ts';
import { type HistoryRules, historiesOf, historyColumns, type PartyHistory } from './ratings.ts';
import type { OrderTable, Reader, SocialTables, Trx } from './tables.ts';
import { type TimelineEntry, timelineRow } from './timeline.ts';

export type OrderRow = Selectable<OrderTable>;

const orders = 'mvp_core.social_orders' as const;

export interface NewOrder {
  orderId: string;
  customerCharacterId: string;
  customerAccountId: string;
  customerFaction: string | null;
  orderType: string;
  title: string;
  description: string;
  districtId: string;
  reward: number;
  deadline: Date;
  accessLevel: string;
  invitedCharacterIds: string[];
  minExecutorRating: number | null;
  now: Date;
}

/** The draft, its first timeline line and its event, in one round trip. */
export async function insertOrder(
  trx: Reader,
  order: NewOrder,
  entry: TimelineEntry,
  event: OutboxRow<unknown>,
): Promise<OrderRow> {
  const insert = trx
    .with('line', (db) =>
      db.insertInto('mvp_core.social_timeline').values(timelineRow(order.orderId, entry)).returning('id'),
    )
    .with('event', (db) => db.insertInto('mvp_meta.outbox').values(outboxValues(event)).returning('id'))
    .insertInto(orders)
    .values({
      order_id: order.orderId,
      customer_character_id: order.customerCharacterId,
      customer_account_id: order.customerAccountId,
      customer_faction: order.customerFaction,
      order_type: order.orderType,
      title: order.title,
      description: order.description,
      district_id: order.districtId,
      reward: order.reward,
      deadline: order.deadline,
      access_level: order.accessLevel,
      invited_character_ids: JSON.stringify(order.invitedCharacterIds),
      min_executor_rating: order.minExecutorRating,
      status: 'draft',
      created_at: order.now,
      updated_at: order.now,
    })
    .returningAll();
  return prepared(insert).executeTakeFirstOrThrow();
}

export function readOrder(db: Reader, orderId: string): Promise<OrderRow | undefined> {
  return db.selectFrom(orders).selectAll().where('order_id', '=', orderId).executeTakeFirst();
}

/** The order's row, locked until the transaction ends: transitions of one order run one at a time. */
export function lockOrder(trx: Trx, orderId: string): Promise<OrderRow | undefined> {
  return prepared(trx.selectFrom(orders).selectAll().where('order_id', '=', orderId).forUpdate()).executeTakeFirst();
}

export async function updateOrder(trx: Trx, orderId: string, change: Updateable<OrderTable>): Promise<OrderRow> {
  return trx.updateTable(orders).set(change).where('order_id', '=', orderId).returningAll().executeTakeFirstOrThrow();
}

/** A further condition of a transition's change on the order's row (what else must still hold). */
export type OrderGuard = (eb: ExpressionBuilder<SocialTables, typeof orders>) => Expression<SqlBool>;

/**
 * A transition's event whose payload its statement builds from the row it changed (the row was not
 * read before): the envelope (outboxRowToFill), where the order came from and who moved it.
 */
export interface OrderEventToFill {
  row: OutboxRow<unknown>;
  fromStatus: OrderStatus;
  actorId: string;
}

/**
 * An order as a transition left it, with its live applications counted in the same statement, and
 * when asked its parties' histories as the change leaves them (executor first, then customer).
 */
export type ChangedOrder = OrderRow & { liveApplications: number; histories?: PartyHistory[] };

/** The parties whose histories an ended order changes, as columns of the changed row. */
const endedParties = [
  { characterId: sql`changed.executor_character_id`, role: 'executor' },
  { characterId: sql`changed.customer_character_id`, role: 'customer' },
] as const;

/**
 * A transition's writes in one round trip, guarded by the status the caller decided from: the row's
 * change, and only when it hit the row its timeline line and its event; answers the changed row and
 * its live applications (as they stand before anything later in the transaction), or nothing when
 * the order was no longer `expected` (a racing transition moved it first). The guard makes the
 * statement safe without the row's lock: PostgreSQL re-checks it on the row a racing writer left.
 * With `histories`, the parties' histories are counted in the same statement over the orders as the
 * change leaves them (the others as stored, this one as changed), for the scores the end earns.
 */
export async function changeOrder(
  db: Reader,
  orderId: string,
  expected: OrderStatus,
  change: Updateable<OrderTable>,
  entry: TimelineEntry,
  event: OutboxRow<unknown> | OrderEventToFill,
  guard?: OrderGuard,
  histories?: { now: Date; rules: HistoryRules },
): Promise<ChangedOrder | undefined> {
  const ordersNow = sql`(SELECT * FROM ${sql.table(orders)} WHERE order_id <> ${orderId}::uuid
    UNION ALL SELECT * FROM changed)`;
  const statement = db
    .with('changed', (cte) =>
      cte
        .updateTable(orders)
        .set(change)
        .where('order_id', '=', orderId)
        .where('status', '=', expected)
        .$if(guard !== undefined, (update) => update.where((eb) => (guard as OrderGuard)(eb)))
        .returningAll(),
    )
    .with('line', (cte) => insertTimelineAfter(cte, 'changed', orderId, entry))
    .with('event', (cte) =>
      'fromStatus' in event
        ? insertEventAfter(cte, 'changed', event.row, lifecyclePayload(event.fromStatus, event.actorId))
        : insertEventAfter(cte, 'changed', event),
    )
    .selectFrom('changed')
    .selectAll('changed')
    .select((eb) =>
      eb
        .selectFrom('mvp_core.social_applications as a')
        .select((count) => count.fn.countAll<string>().as('n'))
        .where('a.order_id', '=', orderId)
        .where('a.status', 'in', liveApplicationStatuses)
        .as('live_applications'),
    )
    .$if(histories !== undefined, (query) => {
      const { now, rules } = histories as { now: Date; rules: HistoryRules };
      return query.select(historyColumns(endedParties, now, rules, ordersNow));
    });
  // One text per transition kind (its change's columns, its guard, its histories): a named statement each.
  const found = await prepared(statement).executeTakeFirst();
  if (!found) return undefined;
  const { live_applications, p0, p1, ...row } = found as typeof found & { p0?: unknown; p1?: unknown };
  const changed = row as OrderRow;
  const parties = [
    { characterId: changed.executor_character_id ?? '', role: 'executor' },
    { characterId: changed.customer_character_id, role: 'customer' },
  ] as const;
  return {
    ...changed,
    liveApplications: Number(live_applications ?? 0),
    ...(histories === undefined ? {} : { histories: historiesOf({ p0, p1 }, parties) }),
  };
}

/**
 * What a publish checks before it asks economy for the escrow, in one round trip: the order, how
 * many open orders its customer has, and the customer's stored score (null before any).
 */
export async function readPublishFacts(
  db: Reader,
  orderId: string,
): Promise<{ order: OrderRow; openOrders: number; customerScore: number | null } | undefined> {
  const query = db
    .selectFrom(`${orders} as o`)
    .selectAll('o')
    .select((eb) => [
      eb
        .selectFrom(`${orders} as open`)
        .select((count) => count.fn.countAll<string>().as('n'))
        .whereRef('open.customer_character_id', '=', 'o.customer_character_id')
        .where('open.status', 'in', openStatuses)
        .as('open_orders'),
      eb
        .selectFrom('mvp_core.social_ratings as r')
        .select('r.score')
        .whereRef('r.character_id', '=', 'o.customer_character_id')
        .where('r.role', '=', 'customer')
        .as('customer_score'),
    ])
    .where('o.order_id', '=', orderId);
  const found = await prepared(query).executeTakeFirst();
  if (!found) return undefined;
  const { open_orders, customer_score, ...order } = found;
  return { order: order as OrderRow, openOrders: Number(open_orders ?? 0), customerScore: customer_score ?? null };
}

/**
 * The guard of a publish: its customer has fewer than `max` open orders (this one, a draft, not
 * counted), counted under the customer's advisory lock by a function whose count sees the publishes
 * that committed while it waited (migration 004), so the limit holds under racing publishes without
 * a transaction around the statement.
 */
export function openOrdersBelow(customerCharacterId: string, max: number): OrderGuard {
  const open = sql`ARRAY[${sql.join(openStatuses)}]::text[]`;
  return () => sql<SqlBool>`mvp_core.social_open_orders_serialized(${customerCharacterId}::uuid, ${open}) < ${max}`;
}

export async function countOpenOrders(db: Reader, customerCharacterId: string): Promise<number> {
  const row = await db
    .selectFrom(orders)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('customer_character_id', '=', customerCharacterId)
    .where('status', 'in', openStatuses)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Each order's escrow status in one statement: `locked` only over no status, an end only over none
 * or `locked` (an order that already shows an end keeps it). The orders and statuses as two arrays:
 * one statement text for any batch.
 */
export async function setEscrowStatuses(trx: Trx, statuses: ReadonlyMap<string, string>): Promise<void> {
  if (statuses.size === 0) return;
  await prepared(sql`
    UPDATE ${sql.table(orders)} AS o SET escrow_status = news.status
    FROM unnest(${[...statuses.keys()]}::uuid[], ${[...statuses.values()]}::text[]) AS news (order_id, status)
    WHERE o.order_id = news.order_id
      AND (o.escrow_status IS NULL OR (news.status <> ${LockedEscrow} AND o.escrow_status = ${LockedEscrow}))`).execute(
    trx,
  );
}

/** Who looks: every order for arbiters and services, else what their account and character may see. */
export type Viewer =
  | { all: true }
  | { all: false; accountId: string; characterId: string | null; faction: string | null };

export interface OrderFilters {
  status?: OrderStatus | undefined;
  orderType?: string | undefined;
  districtId?: string | undefined;
  customerCharacterId?: string | undefined;
  executorCharacterId?: string | undefined;
  limit?: number | undefined;
}

/** Newest first, after `after`; one row more than the page says whether another page follows. */
export async function listOrders(
  db: Reader,
  viewer: Viewer,
  filters: OrderFilters,
  after: KeysetPosition | undefined,
): Promise<{ rows: OrderRow[]; next: KeysetPosition | null }> {
  const limit = pageLimit(filters);
  let query = db.selectFrom(orders).selectAll();
  if (filters.status) query = query.where('status', '=', filters.status);
  if (filters.orderType) query = query.where('order_type', '=', filters.orderType);
  if (filters.districtId) query = query.where('district_id', '=', filters.districtId);
  if (filters.customerCharacterId) query = query.where('customer_character_id', '=', filters.customerCharacterId);
  if (filters.executorCharacterId) query = query.where('executor_character_id', '=', filters.executorCharacterId);
  if (!viewer.all) {
    const { accountId, characterId, faction } = viewer;
    query = query.where((eb) =>
      eb.or([
        eb('access_level', '=', 'public'),
        eb('customer_account_id', '=', accountId),
        eb('executor_account_id', '=', accountId),
        ...(faction === null
          ? []
          : [eb.and([eb('access_level', '=', 'faction'), eb('customer_faction', '=', faction)])]),
        ...(characterId === null
          ? []
          : [eb(sql`invited_character_ids`, '@>', sql`jsonb_build_array(${characterId}::text)`)]),
      ]),
    );
  }
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.at),
        eb.and([eb('created_at', '=', after.at), eb('order_id', '<', after.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('order_id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    next: rows.length > limit && last ? { at: last.created_at, id: last.order_id } : null,
  };
}

/** Published orders past their deadline, locked and skipped by a racing tick: what expires now. */
export function dueExpiries(trx: Trx, now: Date, limit: number): Promise<OrderRow[]> {
  return trx
    .selectFrom(orders)
    .selectAll()
    .where('status', '=', 'published')
    .where('deadline', '<', now)
    .orderBy('deadline')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Delivered orders the customer left unanswered since before `deliveredBefore`. */
export function dueAutoCompletions(trx: Trx, deliveredBefore: Date, limit: number): Promise<OrderRow[]> {
  return trx
    .selectFrom(orders)
    .selectAll()
    .where('status', '=', 'delivered')
    .where('delivered_at', '<', deliveredBefore)
    .orderBy('delivered_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Accepted or in-progress orders that passed their deadline since the last tick looked. */
export function newlyOverdue(trx: Trx, now: Date, limit: number): Promise<OrderRow[]> {
  return trx
    .selectFrom(orders)
    .selectAll()
    .where('status', 'in', ['accepted', 'in_progress'])
    .where('overdue', '=', false)
    .where('deadline', '<', now)
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}
