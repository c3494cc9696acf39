/** Where a consumed message sits in Kafka. */
export interface LaneMessage {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface PartitionLanesOptions<M extends LaneMessage> {
  /**
   * Handles a batch completely (retries, dead letters): the messages of one or more partitions,
   * each partition's in offset order and together, at most `maxBatch`. A rejection means they were
   * not all handled (the consumer is stopping): their lanes are dropped and the messages come again
   * from Kafka later.
   */
  process(batch: M[]): Promise<void>;
  /** Called once `process` resolved, for each partition's part of the batch: its offsets (its last one) may be committed now. */
  done(batch: M[]): void;
  /** Called when `process` rejected, for each partition's part of the batch; the lane of that partition has been dropped. */
  failed(batch: M[], error: unknown): void;
  /**
   * Most messages handed to one `process` call (default 1). A batch takes whatever its lanes got
   * in the same go (one fetch) or queued up while their previous batch ran, up to this many: no
   * message waits for a batch to fill.
   */
  maxBatch?: number;
  /**
   * Batches in a handler at once, whatever their partitions (default: no bound, each partition's
   * lane on its own). 1: one batch at a time for the whole subscription, for handlers whose
   * batches all lock the same rows and would only wait for each other side by side.
   */
  maxConcurrentBatches?: number;
  /** Buffered messages above which the source is paused, and resumed again at half of it. */
  maxBuffered: number;
  /** Pause (true) or resume (false) the source of messages. */
  pressure(paused: boolean): void;
}

interface Lane<M> {
  key: string;
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
 * see, while a busy partition does not hold up the others. The lanes that are free when messages
 * arrive go into ONE batch (up to `maxBatch`): a fetch that brought messages of three partitions
 * costs their handler one transaction, not three running side by side. A message fetched again
 * after a rebalance or a fetch restart (its offset is below what the lane already took) is
 * skipped: the lane handled it or will, and its offset gets committed then.
 */
export class PartitionLanes<M extends LaneMessage> {
  readonly #options: PartitionLanesOptions<M>;
  readonly #lanes = new Map<string, Lane<M>>();
  readonly #idleWaiters = new Set<() => void>();
  #buffered = 0;
  #inFlight = 0;
  /** Batches in a handler now. */
  #running = 0;
  #scheduled = false;
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
      lane = { key, queue: [], next: message.offset, running: false, dropped: false };
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
    if (!lane.running && !this.#scheduled) {
      this.#scheduled = true;
      // A fetch's messages are pushed one after the other in one go: starting the batch once they
      // are all queued puts them in one batch (one transaction) instead of the first alone.
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#start();
      });
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

  /** Starts batches of the free lanes' messages while the bound on batches in a handler allows. */
  #start(): void {
    const maxBatch = Math.max(1, this.#options.maxBatch ?? 1);
    const maxRunning = this.#options.maxConcurrentBatches ?? Number.POSITIVE_INFINITY;
    while (this.#running < maxRunning) {
      const parts: { lane: Lane<M>; messages: M[] }[] = [];
      let room = maxBatch;
      for (const lane of this.#lanes.values()) {
        if (room === 0) break;
        if (lane.running || lane.queue.length === 0) continue;
        const messages = lane.queue.splice(0, room);
        room -= messages.length;
        lane.running = true;
        parts.push({ lane, messages });
      }
      if (parts.length === 0) return;
      // The lanes just taken go to the back, so that a bounded batch takes the others first next time.
      for (const { lane } of parts) {
        this.#lanes.delete(lane.key);
        this.#lanes.set(lane.key, lane);
      }
      this.#running++;
      void this.#work(parts);
    }
  }

  async #work(parts: { lane: Lane<M>; messages: M[] }[]): Promise<void> {
    const batch = parts.length === 1 ? (parts[0]?.messages as M[]) : parts.flatMap((part) => part.messages);
    this.#inFlight += batch.length;
    try {
      await this.#options.process(batch);
      for (const { lane, messages } of parts) if (!lane.dropped) this.#options.done(messages);
    } catch (error) {
      for (const { lane, messages } of parts) {
        if (!lane.dropped) this.#drop(lane.key, lane);
        this.#options.failed(messages, error);
      }
    } finally {
      for (const { lane } of parts) lane.running = false;
      this.#running--;
      this.#inFlight -= batch.length;
      this.#release(batch.length);
      this.#start();
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
