import type { OrderParties } from '../domain/stream-audience.ts';

/**
 * The parties of the orders this replica saw events of, the least recently seen forgotten first
 * once `max` are kept: escrow events name only their order.
 */
export class OrderMemory {
  readonly #max: number;
  readonly #orders = new Map<string, OrderParties>();

  constructor(max: number) {
    this.#max = max;
  }

  get(orderId: string): OrderParties | undefined {
    return this.#orders.get(orderId.toLowerCase());
  }

  set(orderId: string, parties: OrderParties): void {
    const key = orderId.toLowerCase();
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently seen.
    this.#orders.delete(key);
    this.#orders.set(key, parties);
    if (this.#orders.size > this.#max) {
      const oldest = this.#orders.keys().next().value;
      if (oldest !== undefined) this.#orders.delete(oldest);
    }
  }
}
