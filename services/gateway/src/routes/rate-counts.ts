import type { Cache } from '@necp/platform';

/** A rule's count for one key in its current window, this request included. */
export interface RateCount {
  current: number;
  ttlMs: number;
}

const counterKey = (key: string) => `ratelimit:${key}`;

/** Counts in the shared cache, one round trip per request: exact across replicas. */
export async function countExactly(cache: Cache, key: string, windowMs: number): Promise<RateCount> {
  const counted = await cache.increment(counterKey(key), 1, windowMs);
  return { current: counted.value, ttlMs: Math.max(0, counted.ttlMs) };
}

interface Tally {
  windowMs: number;
  /** The shared count as of the last sync (every replica's requests, ours included). */
  synced: number;
  /** Counted here since then, not yet added to the shared count. */
  pending: number;
  /** Being added to the shared count right now. */
  sending: number;
  expiresAt: number;
}

/**
 * Counts kept in this process and added to the shared cache in one batch every `syncMs`: a request
 * costs no round trip, and each replica learns the others' counts at the next sync. Between two
 * syncs a key can pass its limit by what the other replicas counted meanwhile, which is why only
 * rules with limits far above one sync's worth of requests count this way (rateRules' `batched`).
 */
export class SharedTallies {
  readonly #cache: Cache;
  readonly #now: () => number;
  readonly #tallies = new Map<string, Tally>();
  readonly #timer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;

  constructor(cache: Cache, options: { syncMs: number; now?: () => number; onSyncError?: (error: unknown) => void }) {
    this.#cache = cache;
    this.#now = options.now ?? Date.now;
    if (options.syncMs > 0) {
      this.#timer = setInterval(() => {
        this.sync().catch((error: unknown) => options.onSyncError?.(error));
      }, options.syncMs);
      this.#timer.unref();
    }
  }

  /** Counts one request for `key` and answers its count without waiting for the cache. */
  count(key: string, windowMs: number): RateCount {
    const now = this.#now();
    return this.#counted(this.#current(key, windowMs, now), now);
  }

  /**
   * `count`, unless the request would pass `max`: then undefined, counting nothing. One look-up of
   * the key, for the front door's every request.
   */
  countWithin(key: string, windowMs: number, max: number): RateCount | undefined {
    const now = this.#now();
    const tally = this.#current(key, windowMs, now);
    if (tally.synced + tally.sending + tally.pending + 1 > max) return undefined;
    return this.#counted(tally, now);
  }

  /** The tally of `key`'s current window; a new one when its last window is over. */
  #current(key: string, windowMs: number, now: number): Tally {
    let tally = this.#tallies.get(key);
    if (!tally || tally.expiresAt <= now) {
      tally = { windowMs, synced: 0, pending: 0, sending: 0, expiresAt: now + windowMs };
      this.#tallies.set(key, tally);
    }
    return tally;
  }

  #counted(tally: Tally, now: number): RateCount {
    tally.pending += 1;
    return { current: tally.synced + tally.sending + tally.pending, ttlMs: tally.expiresAt - now };
  }

  /** Adds what was counted here to the shared counts and reads theirs back; one sync at a time. */
  sync(): Promise<void> {
    this.#syncing ??= this.#syncOnce().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #syncOnce(): Promise<void> {
    const now = this.#now();
    const sends: Promise<void>[] = [];
    for (const [key, tally] of this.#tallies) {
      if (tally.expiresAt <= now) {
        this.#tallies.delete(key);
        continue;
      }
      if (tally.pending === 0) continue;
      const by = tally.pending;
      tally.pending = 0;
      tally.sending += by;
      sends.push(
        this.#cache.increment(counterKey(key), by, tally.windowMs).then(
          (counted) => {
            tally.sending -= by;
            tally.synced = counted.value - tally.pending - tally.sending;
            // The shared window is the one that counts: a replica that started later keeps its end.
            if (counted.ttlMs >= 0) tally.expiresAt = this.#now() + counted.ttlMs;
          },
          (error: unknown) => {
            // Kept for the next sync: the cache being away loses no counts.
            tally.sending -= by;
            tally.pending += by;
            throw error;
          },
        ),
      );
    }
    const results = await Promise.allSettled(sends);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Stops the periodic sync after a last one. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.sync().catch(() => undefined);
  }
}
