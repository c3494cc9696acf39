/** How other services' events move unrest (shared/DOMAIN.md's rule table). Pure. */
import type { TopicPayload } from '@necp/contracts';
import { type WorldConfig, worldConfig } from './world-config.ts';

/** The change an order's lifecycle step makes in its district; undefined when it makes none. */
export function orderDelta(
  order: Pick<TopicPayload<'social.orders.lifecycle'>, 'fromStatus' | 'toStatus' | 'orderType'>,
  config: WorldConfig = worldConfig,
): number | undefined {
  const rules = config.reactions;
  switch (order.toStatus) {
    case 'completed':
      return Object.hasOwn(rules.orderCompleted, order.orderType) ? rules.orderCompleted[order.orderType] : undefined;
    case 'disputed':
      return rules.orderDisputed;
    case 'cancelled':
      return order.fromStatus !== null && rules.acceptedStatuses.includes(order.fromStatus)
        ? rules.orderCancelledAfterAccept
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Which of `added` new events, counted on from `before`, complete a multiple of `every`: their
 * positions (0-based) among the added ones. 19 before and 22 added with every 20: [0] (the 20th);
 * 0 before and 40 added: [19, 39].
 */
export function thresholdCrossings(before: number, added: number, every: number): number[] {
  const crossings: number[] = [];
  for (let next = (Math.floor(before / every) + 1) * every; next <= before + added; next += every) {
    crossings.push(next - before - 1);
  }
  return crossings;
}

/** The district of a workshop, by the economy's catalogue. */
export function workshopDistrict(workshopId: string, config: WorldConfig = worldConfig): string | undefined {
  return Object.hasOwn(config.workshopDistricts, workshopId) ? config.workshopDistricts[workshopId] : undefined;
}

/** Whether world keeps this district (events may name others; they move nothing). */
export function isDistrict(id: string, config: WorldConfig = worldConfig): boolean {
  return Object.hasOwn(config.startingLevels, id);
}
