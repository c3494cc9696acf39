/**
 * The city's reactions to what players do (shared/DOMAIN.md's rule table), each in the transaction
 * that records its events as processed: an order's end moves its district at once; ballistics
 * events and completed crafting jobs are counted per district in a table, and every 20th (10th)
 * moves it, so a restart or a redelivery neither loses nor repeats a step.
 */
import type { EventEnvelope, TopicPayload } from '@necp/contracts';
import { isDistrict, orderDelta, thresholdCrossings, workshopDistrict } from '../domain/reactions.ts';
import { worldConfig } from '../domain/world-config.ts';
import { addToCounters, counterKey } from '../store/counters.ts';
import type { Trx } from '../store/tables.ts';
import { applyChanges, type UnrestChange } from './unrest-changes.ts';

type Events<T extends 'social.orders.lifecycle' | 'combat.ballistics.events' | 'economy.crafting.jobs'> = EventEnvelope<
  TopicPayload<T>
>[];

export async function reactToOrders(trx: Trx, events: Events<'social.orders.lifecycle'>, now: Date): Promise<void> {
  const changes: UnrestChange[] = [];
  for (const { payload } of events) {
    const delta = orderDelta(payload);
    if (delta === undefined || !isDistrict(payload.districtId)) continue;
    changes.push({
      districtId: payload.districtId,
      requestedDelta: delta,
      multiplier: 1,
      sourceType: 'order',
      sourceId: payload.orderId,
      actorId: payload.actorId,
    });
  }
  await applyChanges(trx, changes, now);
}

interface Counted {
  districtId: string;
  sourceId: string;
  actorId: string;
}

/** Counts the events per district; each one that completes a multiple of `every` moves its district by `delta`. */
async function countAndReact(
  trx: Trx,
  kind: 'combat' | 'crafting',
  rule: { every: number; delta: number },
  counted: Counted[],
  now: Date,
): Promise<void> {
  const byDistrict = new Map<string, Counted[]>();
  for (const item of counted) byDistrict.set(item.districtId, [...(byDistrict.get(item.districtId) ?? []), item]);
  const before = await addToCounters(
    trx,
    [...byDistrict].map(([districtId, items]) => ({ districtId, kind, added: items.length })),
  );
  const changes: UnrestChange[] = [];
  for (const [districtId, items] of byDistrict) {
    for (const index of thresholdCrossings(before.get(counterKey(districtId, kind)) ?? 0, items.length, rule.every)) {
      const item = items[index] as Counted;
      changes.push({
        districtId,
        requestedDelta: rule.delta,
        multiplier: 1,
        sourceType: kind,
        sourceId: item.sourceId,
        actorId: item.actorId,
      });
    }
  }
  await applyChanges(trx, changes, now);
}

export function reactToBallistics(trx: Trx, events: Events<'combat.ballistics.events'>, now: Date): Promise<void> {
  const counted = events.flatMap(({ payload }) =>
    payload.districtId !== null && isDistrict(payload.districtId)
      ? [{ districtId: payload.districtId, sourceId: payload.combatId, actorId: payload.characterId }]
      : [],
  );
  return countAndReact(trx, 'combat', worldConfig.reactions.ballistics, counted, now);
}

export function reactToCrafting(trx: Trx, events: Events<'economy.crafting.jobs'>, now: Date): Promise<void> {
  const counted = events.flatMap(({ payload }) => {
    const districtId = workshopDistrict(payload.workshopId);
    return payload.status === 'completed' && districtId !== undefined
      ? [{ districtId, sourceId: payload.jobId, actorId: payload.characterId }]
      : [];
  });
  return countAndReact(trx, 'crafting', worldConfig.reactions.crafting, counted, now);
}
