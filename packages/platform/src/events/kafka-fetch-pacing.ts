/**
 * When a subscription's consumer fetches next. After a fetch that brought messages, the next one
 * waits `lingerMs` (Kafka's linger, on the fetching side), so that under a trickle of events one
 * fetch carries what arrived meanwhile instead of one message per fetch; a fetch that finds the
 * partitions empty still waits at the broker (`maxWaitTime`) and returns with the first message
 * that arrives, so an idle consumer adds no latency and no requests. Fetch min bytes are left at
 * 1 on purpose: with more, every idle consumer of the process would poll the broker every
 * `maxWaitTime`, which costs more than the lingering saves.
 *
 * The linger adapts between `lingerMs` and `maxLingerMs`: a fetch that brought fewer than
 * FEW_MESSAGES doubles the next linger, a fuller one halves it. Under a steady flow a little too
 * thin for the shortest linger (the order journeys: a few events per fetch, dozens of fetches a
 * second per subscription) the fetches then carry several messages each, and under a heavy one the
 * linger stays short; an event waits for at most `maxLingerMs` before its fetch goes out.
 *
 * The pause of the back-pressure (too many buffered messages) goes through here too: the stream
 * fetches only when neither holds it.
 */

/** A fetch that brought fewer messages than this lingers longer next time. */
export const FEW_MESSAGES = 4;
export interface PausableSource {
  pause(): void;
  resume(): void;
}

export class FetchPacing {
  readonly #lingerMs: number;
  readonly #maxLingerMs: number;
  /** The linger of the next fetch, between the two bounds. */
  #currentMs: number;
  /** Messages received since the linger started: those of the fetch that started it. */
  #fetched = 0;
  #source: PausableSource | undefined;
  #pressured = false;
  #lingering: NodeJS.Timeout | undefined;
  #paused = false;

  constructor(lingerMs: number, maxLingerMs = lingerMs) {
    this.#lingerMs = lingerMs;
    this.#maxLingerMs = Math.max(lingerMs, maxLingerMs);
    this.#currentMs = lingerMs;
  }

  /** The linger the next fetch that brings messages starts. */
  get lingerMs(): number {
    return this.#currentMs;
  }

  /** The stream to pace (a new one after a restart starts flowing, then takes the current state). */
  attach(source: PausableSource): void {
    this.#source = source;
    this.#paused = false;
    this.#apply();
  }

  /** A fetched message arrived: the next fetch waits. */
  received(): void {
    if (this.#lingerMs <= 0) return;
    this.#fetched++;
    if (this.#lingering) return;
    this.#lingering = setTimeout(() => {
      this.#lingering = undefined;
      this.#currentMs =
        this.#fetched < FEW_MESSAGES
          ? Math.min(this.#maxLingerMs, this.#currentMs * 2)
          : Math.max(this.#lingerMs, this.#currentMs / 2);
      this.#fetched = 0;
      this.#apply();
    }, this.#currentMs);
    // A fetch's messages are pushed one after the other in one go, and the stream then queues its
    // next fetch on the next tick: pausing on the next tick lets them all through and holds that fetch.
    process.nextTick(() => this.#apply());
  }

  /** Pause (true) or resume (false) for back-pressure. */
  pressure(paused: boolean): void {
    this.#pressured = paused;
    this.#apply();
  }

  stop(): void {
    clearTimeout(this.#lingering);
    this.#lingering = undefined;
  }

  #apply(): void {
    const paused = this.#pressured || this.#lingering !== undefined;
    if (paused === this.#paused || !this.#source) return;
    this.#paused = paused;
    if (paused) this.#source.pause();
    else this.#source.resume();
  }
}
