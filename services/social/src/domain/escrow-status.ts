/**
 * The escrow status an order shows, from economy's escrow news: `locked` only over no status, an end
 * (released, refunded, split) only over none or `locked`, so a late or repeated event never moves it
 * back.
 */
export const LockedEscrow = 'locked';

/**
 * What a set of escrow news leaves on each order, as if applied one by one in their order: the
 * first end reported wins over `locked` and over any later end.
 */
export function escrowOutcomes(news: readonly { orderId: string; status: string }[]): Map<string, string> {
  const outcomes = new Map<string, string>();
  for (const { orderId, status } of news) {
    const known = outcomes.get(orderId);
    if (known === undefined || (known === LockedEscrow && status !== LockedEscrow)) outcomes.set(orderId, status);
  }
  return outcomes;
}
