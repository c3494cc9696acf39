/**
 * What time does to orders, one batch per tick inside an exclusive schedule (one replica at a
 * time; what is due lives in the orders' own columns, so a restart carries on):
 *  - a published order past its deadline with no executor expires: cancelled, refunded in full;
 *  - an accepted or in-progress one past it stays open, and its executor's timeliness drops now;
 *  - a delivery the customer neither completed nor disputed in SOCIAL_AUTO_COMPLETE_HOURS (game
 *    hours, divided by TIME_SCALE) completes by itself;
 *  - an idle score decays.
 */
import { ratingRules } from '../domain/order-config.ts';
import { decayedScore } from '../domain/ratings.ts';
import { SystemActorId } from '../events.ts';
import { rejectSubmitted } from '../store/applications.ts';
import { dueAutoCompletions, dueExpiries, newlyOverdue, updateOrder } from '../store/orders.ts';
import { type IdleKey, idleRatings, setScore } from '../store/ratings.ts';
import type { Trx } from '../store/tables.ts';
import { appendTimeline } from '../store/timeline.ts';
import { refreshRatings } from './ratings.ts';
import { type Actor, transition } from './transition.ts';

/** Rows one tick handles at most; the rest wait for the next tick. */
export const ScheduleBatch = 200;

const system: Actor = { id: SystemActorId, roles: ['system'] };

export async function expireOrders(trx: Trx, now: Date): Promise<number> {
  const due = await dueExpiries(trx, now, ScheduleBatch);
  for (const order of due) {
    await transition(trx, order, 'expire', system, now, {}, { reason: 'deadline passed with no executor' });
    await rejectSubmitted(trx, order.order_id, null, now);
  }
  return due.length;
}

export async function markOverdue(trx: Trx, now: Date): Promise<number> {
  const due = await newlyOverdue(trx, now, ScheduleBatch);
  for (const order of due) {
    await updateOrder(trx, order.order_id, { overdue: true });
    await appendTimeline(trx, order.order_id, {
      kind: 'deadline',
      actor: 'system',
      detail: { overdue: true },
      at: now,
    });
    await refreshRatings(trx, [{ characterId: order.executor_character_id as string, role: 'executor' }], now, false);
  }
  return due.length;
}

/** The wall-clock wait before a delivery completes by itself. */
export function autoCompleteAfterMs(hours: number, timeScale: number): number {
  return (hours * 3_600_000) / timeScale;
}

export async function autoCompleteOrders(trx: Trx, now: Date, waitMs: number): Promise<number> {
  const due = await dueAutoCompletions(trx, new Date(now.getTime() - waitMs), ScheduleBatch);
  for (const order of due) {
    await transition(
      trx,
      order,
      'autoComplete',
      system,
      now,
      {},
      { reason: 'the customer did not answer the delivery' },
    );
  }
  return due.length;
}

/** Writes the decayed score of every idle rating (a pure function of the clock, so ticks may repeat). */
export async function decayRatings(trx: Trx, now: Date): Promise<number> {
  const idleSince = new Date(now.getTime() - ratingRules.decayIdleDays * 86_400_000);
  let after: IdleKey | undefined;
  let count = 0;
  for (;;) {
    const rows = await idleRatings(trx, idleSince, ScheduleBatch, after);
    for (const row of rows) {
      const score = decayedScore(row.earned, row.peak, row.last_order_at, now);
      if (score !== row.score) await setScore(trx, row.character_id, row.role, score, now);
    }
    count += rows.length;
    const last = rows[rows.length - 1];
    if (!last?.last_order_at || rows.length < ScheduleBatch) return count;
    after = { lastOrderAt: last.last_order_at, characterId: last.character_id, role: last.role };
  }
}
