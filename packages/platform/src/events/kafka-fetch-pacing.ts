/**
 * When a subscription's consumer fetches next. After a fetch that brought messages, the next one
 * waits `lingerMs` (Kafka's linger, on the fetching side), so that under a trickle of events one
 * fetch carries what arrived meanwhile instead of one message per fetch; a fetch that finds the
 * partitions empty still waits at the broker (`maxWaitTime`) and returns with the first message
 * that arrives, so an idle consumer adds no latency and no requests. Fetch min bytes are left at
 * 1 on purpose: with more, every idle consumer of the process would poll the broker every
 * `maxWaitTime`, which costs more than the lingering saves.
 *
 * The pause of the back-pressure (too many buffered messages) goes through here too: the stream
 * fetches only when neither holds it.
 */
export interface PausableSource {
  pause(): void;
  resume(): void;
}

export class FetchPacing {
  readonly #lingerMs: number;
  #source: PausableSource | undefined;
  #pressured = false;
  #lingering: NodeJS.Timeout | undefined;
  #paused = false;

  constructor(lingerMs: number) {
    this.#lingerMs = lingerMs;
  }

  /** The stream to pace (a new one after a restart starts flowing, then takes the current state). */
  attach(source: PausableSource): void {
    this.#source = source;
    this.#paused = false;
    this.#apply();
  }

  /** A fetched message arrived: the next fetch waits. */
  received(): void {
    if (this.#lingerMs <= 0 || this.#lingering) return;
    this.#lingering = setTimeout(() => {
      this.#lingering = undefined;
      this.#apply();
    }, this.#lingerMs);
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
