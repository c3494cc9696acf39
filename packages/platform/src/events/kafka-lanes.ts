/** Where a consumed message sits in Kafka. */
export interface LaneMessage {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface PartitionLanesOptions<M extends LaneMessage> {
  /**
   * Handles a batch of one partition's messages (in offset order, at most `maxBatch`) completely
   * (retries, dead letters). A rejection means they were not all handled (the consumer is
   * stopping): the lane is dropped and the messages come again from Kafka later.
   */
  process(batch: M[]): Promise<void>;
  /** Called once `process` resolved: the batch's offsets (its last one) may be committed now. */
  done(batch: M[]): void;
  /** Called when `process` rejected; the lane of that partition has been dropped. */
  failed(batch: M[], error: unknown): void;
  /**
   * Most messages a lane hands to one `process` call (default 1). A lane takes whatever was pushed
   * in the same go (one fetch) or queued up while its previous batch ran, up to this many: no
   * message waits for a batch to fill.
   */
  maxBatch?: number;
  /** Buffered messages above which the source is paused, and resumed again at half of it. */
  maxBuffered: number;
  /** Pause (true) or resume (false) the source of messages. */
  pressure(paused: boolean): void;
}

interface Lane<M> {
  queue: M[];
  /** The offset after the last message this lane took: anything below was taken already. */
  next: bigint;
  running: boolean;
  dropped: boolean;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/**
 * One queue per partition, each worked off in offset order, one batch at a time, the partitions
 * side by side: the order Kafka guarantees (per partition, hence per key) is the order handlers
 * see, while partitions do not wait for each other. A message fetched again after a rebalance or a fetch
 * restart (its offset is below what the lane already took) is skipped: the lane handled it or
 * will, and its offset gets committed then.
 */
export class PartitionLanes<M extends LaneMessage> {
  readonly #options: PartitionLanesOptions<M>;
  readonly #lanes = new Map<string, Lane<M>>();
  readonly #idleWaiters = new Set<() => void>();
  #buffered = 0;
  #inFlight = 0;
  #paused = false;

  constructor(options: PartitionLanesOptions<M>) {
    this.#options = options;
  }

  /** Messages taken and not yet handled (queued or in a handler). */
  get buffered(): number {
    return this.#buffered;
  }

  push(message: M): void {
    const key = partitionKey(message.topic, message.partition);
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { queue: [], next: message.offset, running: false, dropped: false };
      this.#lanes.set(key, lane);
    }
    if (message.offset < lane.next) return;
    lane.next = message.offset + 1n;
    lane.queue.push(message);
    this.#buffered++;
    if (!this.#paused && this.#buffered >= this.#options.maxBuffered) {
      this.#paused = true;
      this.#options.pressure(true);
    }
    if (!lane.running) {
      lane.running = true;
      // A fetch's messages are pushed one after the other in one go: starting the lane once they
      // are all queued puts them in one batch (one transaction) instead of the first alone.
      queueMicrotask(() => void this.#work(lane));
    }
  }

  /**
   * Keeps only the lanes of `assigned` partition keys (after a rebalance): the others' queued
   * messages now belong to another member. A message of theirs already in a handler finishes, but
   * is not reported done, so its offset is not committed by a member that no longer owns it.
   */
  retain(assigned: ReadonlySet<string>): void {
    for (const [key, lane] of this.#lanes) {
      if (!assigned.has(key)) this.#drop(key, lane);
    }
  }

  /** Forgets every queued message (stopping); messages in a handler still finish. */
  dropAll(): void {
    for (const [key, lane] of this.#lanes) this.#drop(key, lane);
  }

  /** Resolves once no handler runs (after `dropAll`, once the in-flight messages are done). */
  idle(): Promise<void> {
    if (this.#inFlight === 0 && this.#buffered === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.add(resolve));
  }

  #drop(key: string, lane: Lane<M>): void {
    lane.dropped = true;
    this.#release(lane.queue.length);
    lane.queue = [];
    this.#lanes.delete(key);
  }

  async #work(lane: Lane<M>): Promise<void> {
    const maxBatch = Math.max(1, this.#options.maxBatch ?? 1);
    try {
      while (lane.queue.length > 0) {
        const batch = lane.queue.splice(0, maxBatch);
        const first = batch[0] as M;
        this.#inFlight += batch.length;
        try {
          await this.#options.process(batch);
          if (!lane.dropped) this.#options.done(batch);
        } catch (error) {
          if (!lane.dropped) this.#drop(partitionKey(first.topic, first.partition), lane);
          this.#options.failed(batch, error);
        } finally {
          this.#inFlight -= batch.length;
          this.#release(batch.length);
        }
        if (lane.dropped) break;
      }
    } finally {
      lane.running = false;
    }
  }

  #release(count: number): void {
    this.#buffered -= count;
    if (this.#paused && this.#buffered <= this.#options.maxBuffered / 2) {
      this.#paused = false;
      this.#options.pressure(false);
    }
    if (this.#inFlight === 0 && this.#buffered === 0) {
      for (const resolve of this.#idleWaiters) resolve();
      this.#idleWaiters.clear();
    }
  }
}
