import { type Selectable, sql } from 'kysely';
import type { ApplicationTable, Reader, Trx } from './tables.ts';
import { type TimelineEntry, timelineRow } from './timeline.ts';

export type ApplicationRow = Selectable<ApplicationTable>;

const applications = 'mvp_core.social_applications' as const;

/** The applications that still count on an order (shown as its applicationsCount). */
export const liveApplicationStatuses = ['submitted', 'accepted'] as const;

/**
 * The application and its timeline line in one round trip; nothing (no line either) when the
 * character already has a live application on the order.
 */
export async function insertApplication(
  trx: Trx,
  application: Omit<ApplicationRow, 'status' | 'updated_at'>,
  entry: TimelineEntry,
): Promise<ApplicationRow | undefined> {
  const line = timelineRow(application.order_id, entry);
  // The partial unique index keeps one live application per character: a racing second one inserts nothing.
  return trx
    .with('inserted', (db) =>
      db
        .insertInto(applications)
        .values({ ...application, status: 'submitted', updated_at: application.created_at })
        .onConflict((conflict) =>
          conflict.columns(['order_id', 'character_id']).where('status', 'in', ['submitted', 'accepted']).doNothing(),
        )
        .returningAll(),
    )
    .with('line', (db) =>
      db
        .insertInto('mvp_core.social_timeline')
        .columns(['order_id', 'kind', 'from_status', 'to_status', 'actor', 'detail', 'at'])
        .expression((eb) =>
          eb
            .selectFrom('inserted')
            .select([
              'inserted.order_id',
              sql<string>`${line.kind}::text`.as('kind'),
              sql<string | null>`${line.from_status}::text`.as('from_status'),
              sql<string | null>`${line.to_status}::text`.as('to_status'),
              sql<string>`${line.actor}::text`.as('actor'),
              sql<string>`${line.detail}::jsonb`.as('detail'),
              sql<Date>`${line.at}::timestamptz`.as('at'),
            ]),
        )
        .returning('id'),
    )
    .selectFrom('inserted')
    .selectAll()
    .executeTakeFirst();
}

export function lockApplication(trx: Trx, orderId: string, applicationId: string) {
  return trx
    .selectFrom(applications)
    .selectAll()
    .where('order_id', '=', orderId)
    .where('application_id', '=', applicationId)
    .forUpdate()
    .executeTakeFirst();
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
 * The customer's choice in one statement: `acceptedId` accepted, every other submitted application
 * of the order rejected. The caller checked under the order's lock that `acceptedId` is submitted.
 */
export async function acceptApplicationRow(trx: Trx, orderId: string, acceptedId: string, now: Date): Promise<void> {
  await trx
    .updateTable(applications)
    .set({
      status: sql<
        ApplicationRow['status']
      >`CASE WHEN application_id = ${acceptedId} THEN 'accepted' ELSE 'rejected' END`,
      updated_at: now,
    })
    .where('order_id', '=', orderId)
    .where('status', '=', 'submitted')
    .execute();
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
