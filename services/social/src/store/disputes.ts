import { type Selectable, sql } from 'kysely';
import type { DisputeTable, Reader, Trx } from './tables.ts';

export type DisputeRow = Selectable<DisputeTable>;

const disputes = 'mvp_core.social_disputes' as const;

export interface NewDispute {
  disputeId: string;
  orderId: string;
  characterId: string;
  accountId: string;
  reason: string;
  evidence: string[];
  now: Date;
}

export function insertDispute(trx: Trx, dispute: NewDispute): Promise<DisputeRow> {
  return trx
    .insertInto(disputes)
    .values({
      dispute_id: dispute.disputeId,
      order_id: dispute.orderId,
      opened_by_character_id: dispute.characterId,
      opened_by_account_id: dispute.accountId,
      reason: dispute.reason,
      evidence: JSON.stringify(dispute.evidence),
      status: 'open',
      opened_at: dispute.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function countOpenDisputes(db: Reader, accountId: string): Promise<number> {
  const row = await db
    .selectFrom(disputes)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('opened_by_account_id', '=', accountId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function resolveDispute(
  trx: Trx,
  orderId: string,
  resolution: { executorSharePercent: number; note: string; resolvedBy: string; now: Date },
): Promise<DisputeRow | undefined> {
  return trx
    .updateTable(disputes)
    .set({
      status: 'resolved',
      executor_share_percent: resolution.executorSharePercent,
      note: resolution.note,
      resolved_by: resolution.resolvedBy,
      resolved_at: resolution.now,
    })
    .where('order_id', '=', orderId)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst();
}

/** The arbiters' queue: open disputes, oldest first, after `after`. */
export function openDisputes(
  db: Reader,
  limit: number,
  after: { at: Date; id: string } | undefined,
): Promise<DisputeRow[]> {
  let query = db.selectFrom(disputes).selectAll().where('status', '=', 'open');
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('opened_at', '>', after.at),
        eb.and([eb('opened_at', '=', after.at), eb('dispute_id', '>', after.id)]),
      ]),
    );
  }
  return query
    .orderBy('opened_at')
    .orderBy('dispute_id')
    .limit(limit + 1)
    .execute();
}

/** Serializes the disputes an account opens, so its open-dispute limit holds under races. */
export async function serializeDisputesOf(trx: Trx, accountId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(7303, hashtext(${accountId}))`.execute(trx);
}
