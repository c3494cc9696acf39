/**
 * The last events this replica delivered, bounded by count and by age, so that a client that
 * reconnects can ask for what it missed since the last event id it saw. Pure: the caller passes
 * the time.
 */

export interface Remembered {
  eventId: string;
  /** When this replica received it, in ms. */
  at: number;
}

/** What a reconnecting client gets: the events after its id, or a gap (the id left the window). */
export type Replay<T> = { kind: 'events'; events: T[] } | { kind: 'gap' };

export class ReplayWindow<T extends Remembered> {
  readonly #maxEvents: number;
  readonly #maxAgeMs: number;
  /** A ring: `#start` is the oldest entry, `#size` how many there are. */
  readonly #ring: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(maxEvents: number, maxAgeMs: number) {
    this.#maxEvents = maxEvents;
    this.#maxAgeMs = maxAgeMs;
    this.#ring = new Array(maxEvents);
  }

  get size(): number {
    return this.#size;
  }

  push(entry: T): void {
    if (this.#maxEvents === 0) return;
    if (this.#size === this.#maxEvents) {
      this.#ring[this.#start] = entry;
      this.#start = (this.#start + 1) % this.#maxEvents;
      return;
    }
    this.#ring[(this.#start + this.#size) % this.#maxEvents] = entry;
    this.#size += 1;
  }

  /** Drops what is older than the age bound. */
  expire(now: number): void {
    while (this.#size > 0) {
      const oldest = this.#ring[this.#start] as T;
      if (now - oldest.at <= this.#maxAgeMs) return;
      this.#ring[this.#start] = undefined;
      this.#start = (this.#start + 1) % this.#maxEvents;
      this.#size -= 1;
    }
  }

  /** The entries after `eventId`, oldest first; a gap when the window does not hold it (any more). */
  since(eventId: string, now: number): Replay<T> {
    this.expire(now);
    const wanted = eventId.toLowerCase();
    for (let offset = this.#size - 1; offset >= 0; offset--) {
      const entry = this.#ring[(this.#start + offset) % this.#maxEvents] as T;
      if (entry.eventId.toLowerCase() !== wanted) continue;
      const events: T[] = [];
      for (let after = offset + 1; after < this.#size; after++) {
        events.push(this.#ring[(this.#start + after) % this.#maxEvents] as T);
      }
      return { kind: 'events', events };
    }
    return { kind: 'gap' };
  }
}
