import type { Reader, Trx } from './tables.ts';

export interface TimelineEntry {
  kind: 'transition' | 'application' | 'dispute' | 'review' | 'deadline';
  fromStatus?: string | null;
  toStatus?: string | null;
  /** Who acted: an account, an arbiter, or `system` for the schedulers. */
  actor: string;
  detail?: Record<string, unknown>;
  at: Date;
}

/** The row of a timeline line. */
export function timelineRow(orderId: string, entry: TimelineEntry) {
  return {
    order_id: orderId,
    kind: entry.kind,
    from_status: entry.fromStatus ?? null,
    to_status: entry.toStatus ?? null,
    actor: entry.actor,
    detail: JSON.stringify(entry.detail ?? {}),
    at: entry.at,
  };
}

export async function appendTimeline(trx: Trx, orderId: string, entry: TimelineEntry): Promise<void> {
  await trx.insertInto('mvp_core.social_timeline').values(timelineRow(orderId, entry)).execute();
}

export function readTimeline(db: Reader, orderId: string) {
  return db.selectFrom('mvp_core.social_timeline').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
}
