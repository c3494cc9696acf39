import { type OutboxRow, prepared } from '@necp/platform';
import { type Selectable, sql, type Updateable } from 'kysely';
import type { OrderStatus } from '../domain/order-machine.ts';
import { insertEventAfter, insertTimelineAfter, lifecyclePayload } from './after-change.ts';
import type { OrderEventToFill, OrderGuard } from './orders.ts';
import type { ApplicationTable, OrderTable, Reader, Trx } from './tables.ts';
import type { TimelineEntry } from './timeline.ts';

export type ApplicationRow = Selectable<ApplicationTable>;

const applications = 'mvp_core.social_applications' as const;
const orders = 'mvp_core.social_orders' as const;

/** The applications that still count on an order (shown as its applicationsCount). */
export const liveApplicationStatuses = ['submitted', 'accepted'] as const;

/** Who applies: the caller's account, the applicant's faction, and the score a character with none has. */
export interface Applicant {
  accountId: string;
  faction: string | null;
  startingScore: number;
}

/**
 * The application and its timeline line in one round trip, under a share lock on its order taken
 * first: inserted only while the order is `published` (accept, withdraw and cancel hold the order's
 * row exclusively, so no application lands on an order that just left `published`), only when the
 * applicant may apply (not the customer's own account; a public order, the customer's faction on a
 * faction order, an invitee on an invite-only or private one; at or above `min_executor_rating` by
 * its stored executor score), and not when the character already has a live application there.
 * Answers the order's status (nothing: no such order) and the application when one was inserted.
 */
export async function insertApplication(
  db: Reader,
  application: Omit<ApplicationRow, 'status' | 'updated_at'>,
  entry: TimelineEntry,
  applicant: Applicant,
): Promise<{ orderStatus: OrderStatus; application: ApplicationRow | undefined } | undefined> {
  const row = { ...application, status: 'submitted', updated_at: application.created_at };
  const score = sql`coalesce((SELECT r.score FROM mvp_core.social_ratings r
    WHERE r.character_id = ${row.character_id}::uuid AND r.role = 'executor'), ${applicant.startingScore})`;
  const admitted = sql`held.status = 'published' AND held.customer_account_id <> ${applicant.accountId}::uuid
    AND (held.access_level = 'public'
      OR (held.access_level = 'faction' AND held.customer_faction = ${applicant.faction}::text)
      OR (held.access_level IN ('invite_only', 'private')
        AND held.invited_character_ids @> jsonb_build_array(${row.character_id}::text)))
    AND (held.min_executor_rating IS NULL OR ${score} >= held.min_executor_rating)`;
  const statement = db
    .with('held', (cte) =>
      cte
        .selectFrom(orders)
        .select([
          'order_id',
          'status',
          'customer_account_id',
          'access_level',
          'customer_faction',
          'invited_character_ids',
          'min_executor_rating',
        ])
        .where('order_id', '=', application.order_id)
        .forShare(),
    )
    // The partial unique index keeps one live application per character: a racing second one inserts
    // nothing. Its predicate as literals: a generic plan (a prepared statement's) cannot infer the index
    // from parameters.
    .with('inserted', (cte) =>
      cte
        .insertInto(applications)
        .columns([
          'application_id',
          'order_id',
          'character_id',
          'account_id',
          'bid',
          'cover_letter',
          'status',
          'created_at',
          'updated_at',
        ])
        .expression(
          sql`SELECT ${row.application_id}::uuid, held.order_id, ${row.character_id}::uuid, ${row.account_id}::uuid,
            ${row.bid}::integer, ${row.cover_letter}::text, ${row.status}::text, ${row.created_at}::timestamptz,
            ${row.updated_at}::timestamptz
          FROM held WHERE ${admitted}`,
        )
        .onConflict((conflict) =>
          conflict
            .columns(['order_id', 'character_id'])
            .where(
              'status',
              'in',
              liveApplicationStatuses.map((status) => sql.lit(status)),
            )
            .doNothing(),
        )
        .returningAll(),
    )
    .with('line', (cte) => insertTimelineAfter(cte, 'inserted', application.order_id, entry))
    .selectFrom('held')
    .leftJoin('inserted', (join) => join.onTrue())
    .select('held.status as order_status')
    .selectAll('inserted');
  const found = await prepared(statement).executeTakeFirst();
  if (!found) return undefined;
  const { order_status, ...inserted } = found;
  return {
    orderStatus: order_status,
    application: inserted.application_id === null ? undefined : (inserted as ApplicationRow),
  };
}

export function lockApplication(trx: Trx, orderId: string, applicationId: string) {
  return readApplication(trx, orderId, applicationId).forUpdate().executeTakeFirst();
}

/** What an accept needs of the application it chooses (none: no such application on the order). */
export type Chosen = Pick<ApplicationRow, 'character_id' | 'account_id' | 'status'> | undefined;

/**
 * The order's row locked (as `lockOrder` does) and the chosen application, in one round trip. The
 * application is as it stood before the lock was granted (a withdrawal may have committed while this
 * waited): the statement that accepts it re-checks that it is still submitted.
 */
export async function lockOrderChoosing(
  trx: Trx,
  orderId: string,
  applicationId: string,
): Promise<(Selectable<OrderTable> & { chosen: Chosen }) | undefined> {
  const query = trx
    .selectFrom(`${orders} as o`)
    .leftJoin(`${applications} as a`, (join) =>
      join.onRef('a.order_id', '=', 'o.order_id').on('a.application_id', '=', applicationId),
    )
    .selectAll('o')
    .select(['a.character_id as chosen_character_id', 'a.account_id as chosen_account_id', 'a.status as chosen_status'])
    .where('o.order_id', '=', orderId)
    .forUpdate('o');
  const found = await prepared(query).executeTakeFirst();
  if (!found) return undefined;
  const { chosen_character_id, chosen_account_id, chosen_status, ...order } = found;
  const chosen =
    chosen_status === null
      ? undefined
      : { character_id: chosen_character_id as string, account_id: chosen_account_id as string, status: chosen_status };
  return { ...(order as Selectable<OrderTable>), chosen };
}

/** The application as it stands (its choice re-checked by the statement that accepts it). */
export function readApplication(db: Reader, orderId: string, applicationId: string) {
  return db
    .selectFrom(applications)
    .selectAll()
    .where('order_id', '=', orderId)
    .where('application_id', '=', applicationId);
}

export async function setApplicationStatus(
  trx: Trx,
  applicationId: string,
  status: ApplicationRow['status'],
  now: Date,
): Promise<ApplicationRow> {
  return trx
    .updateTable(applications)
    .set({ status, updated_at: now })
    .where('application_id', '=', applicationId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The customer's choice in one statement, in the transaction that locked the order (so it sees every
 * application that came in before): the order's change, `acceptedId` accepted and every other
 * submitted application rejected, the timeline line and the event; nothing when the order was no
 * longer `published` or `acceptedId` no longer submitted.
 */
export async function acceptOrder(
  trx: Trx,
  orderId: string,
  acceptedId: string,
  change: Updateable<OrderTable>,
  entry: TimelineEntry,
  event: OutboxRow<unknown>,
): Promise<Selectable<OrderTable> | undefined> {
  const at = change.updated_at as Date;
  const statement = trx
    .with('changed', (cte) =>
      cte
        .updateTable(orders)
        .set(change)
        .where('order_id', '=', orderId)
        .where('status', '=', 'published')
        // The choice as this statement sees it, after the order's lock: the read that decided it may predate a withdrawal.
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom(`${applications} as chosen`)
              .select('chosen.application_id')
              .where('chosen.order_id', '=', orderId)
              .where('chosen.application_id', '=', acceptedId)
              .where('chosen.status', '=', 'submitted'),
          ),
        )
        .returningAll(),
    )
    .with('choice', (cte) =>
      cte
        .updateTable(applications)
        .set({
          status: sql<
            ApplicationRow['status']
          >`CASE WHEN application_id = ${acceptedId} THEN 'accepted' ELSE 'rejected' END`,
          updated_at: at,
        })
        .where('order_id', '=', orderId)
        .where('status', '=', 'submitted')
        .where((eb) => eb.exists(eb.selectFrom('changed').select('changed.order_id')))
        .returning('application_id'),
    )
    .with('line', (cte) => insertTimelineAfter(cte, 'changed', orderId, entry))
    .with('event', (cte) => insertEventAfter(cte, 'changed', event))
    .selectFrom('changed')
    .selectAll();
  return prepared(statement).executeTakeFirst();
}

/** The SQLSTATE `mvp_core.social_choose_application` raises when the chosen application is not submitted. */
const CHOICE_LOST = 'SO409';

function choiceLost(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === CHOICE_LOST;
}

/**
 * An accept in one statement and no transaction, the order not read or locked before it: the order's
 * change guarded by `published` and `callerMay`, its executor the chosen application's character
 * and account; then, under the row lock the change took, the choice by
 * `mvp_core.social_choose_application` (migration 007), which sees what committed while the change
 * waited (an application that came in, a withdrawal of the chosen one); the timeline line and the
 * event built from the changed row. Nothing, with nothing written, when the guard held no row or
 * the chosen application was not submitted: the locked accept then says why.
 */
export async function acceptChosenAtOnce(
  db: Reader,
  orderId: string,
  acceptedId: string,
  change: Updateable<OrderTable>,
  entry: TimelineEntry,
  event: OrderEventToFill,
  callerMay: OrderGuard,
): Promise<Selectable<OrderTable> | undefined> {
  const at = change.updated_at as Date;
  const chosen = (column: 'character_id' | 'account_id') =>
    sql<string>`(SELECT ${sql.ref(column)} FROM ${sql.table(applications)}
      WHERE order_id = ${orderId}::uuid AND application_id = ${acceptedId}::uuid)`;
  const statement = db
    .with('changed', (cte) =>
      cte
        .updateTable(orders)
        .set({ ...change, executor_character_id: chosen('character_id'), executor_account_id: chosen('account_id') })
        .where('order_id', '=', orderId)
        .where('status', '=', 'published')
        .where((eb) => callerMay(eb))
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom(`${applications} as chosen`)
              .select('chosen.application_id')
              .where('chosen.order_id', '=', orderId)
              .where('chosen.application_id', '=', acceptedId),
          ),
        )
        .returningAll(),
    )
    .with('choice', (cte) =>
      cte
        .selectFrom('changed')
        .select(
          sql<string>`mvp_core.social_choose_application(changed.order_id, ${acceptedId}::uuid, ${at}::timestamptz)`.as(
            'chosen',
          ),
        ),
    )
    .with('line', (cte) => insertTimelineAfter(cte, 'changed', orderId, entry))
    .with('event', (cte) =>
      insertEventAfter(cte, 'changed', event.row, lifecyclePayload(event.fromStatus, event.actorId)),
    )
    .selectFrom('changed')
    // Joined so that the choice runs (a CTE no one reads is not run) and before the answer.
    .innerJoin('choice', (join) => join.onTrue())
    .selectAll('changed');
  try {
    return await prepared(statement).executeTakeFirst();
  } catch (error) {
    if (choiceLost(error)) return undefined;
    throw error;
  }
}

/** Every submitted application of the order but `acceptedId`: once one is accepted, or the order ends. */
export async function rejectSubmitted(
  trx: Trx,
  orderId: string,
  acceptedId: string | null,
  now: Date,
): Promise<number> {
  let query = trx
    .updateTable(applications)
    .set({ status: 'rejected', updated_at: now })
    .where('order_id', '=', orderId)
    .where('status', '=', 'submitted');
  if (acceptedId !== null) query = query.where('application_id', '!=', acceptedId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The order's applications in the order they came; only `accountId`'s when given. */
export function listApplications(db: Reader, orderId: string, accountId?: string): Promise<ApplicationRow[]> {
  let query = db.selectFrom(applications).selectAll().where('order_id', '=', orderId);
  if (accountId !== undefined) query = query.where('account_id', '=', accountId);
  return query.orderBy('created_at').orderBy('application_id').execute();
}

export async function countLiveApplications(db: Reader, orderIds: readonly string[]): Promise<Map<string, number>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db
    .selectFrom(applications)
    .select(['order_id', (eb) => eb.fn.countAll<string>().as('count')])
    .where('order_id', 'in', orderIds)
    .where('status', 'in', liveApplicationStatuses)
    .groupBy('order_id')
    .execute();
  return new Map(rows.map((row) => [row.order_id, Number(row.count)]));
}
