/**
 * A subscription's offset commits, coalesced: the last handled message of each partition is kept
 * and committed at most every `intervalMs`, and at once when the group rebalances or the consumer
 * stops. Under a trickle of events a lane's batches hold one message each, and committing each
 * batch cost the broker one OffsetCommit request per event. Only messages whose handler resolved
 * are ever handed here, so a commit still never runs ahead of the handlers; what a crash loses is
 * at most one interval of commits, whose messages come again and are skipped by the consumers'
 * dedupe on the event id.
 */
import { partitionKey } from './kafka-lanes.ts';

export interface CommittableMessage {
  topic: string;
  partition: number;
  offset: bigint;
  commit(): unknown;
}

export class CoalescedCommits<M extends CommittableMessage> {
  readonly #intervalMs: number;
  readonly #failed: (message: M, error: unknown) => void;
  /** Per partition, the last handled message whose offset is not committed yet. */
  readonly #pending = new Map<string, M>();
  /** Commits sent and not settled, which `stop` waits for. */
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number, failed: (message: M, error: unknown) => void) {
    this.#intervalMs = intervalMs;
    this.#failed = failed;
  }

  /** Records a handled message: its offset (and those before it) is committed with the next flush. */
  handled(message: M): void {
    const key = partitionKey(message.topic, message.partition);
    const previous = this.#pending.get(key);
    if (previous && previous.offset > message.offset) return;
    this.#pending.set(key, message);
    if (this.#intervalMs <= 0) {
      this.flush();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, this.#intervalMs);
  }

  /** Forgets the pending commits of partitions not in `assigned`: they are another member's now. */
  retain(assigned: ReadonlySet<string>): void {
    for (const key of this.#pending.keys()) {
      if (!assigned.has(key)) this.#pending.delete(key);
    }
  }

  /**
   * Sends the pending commits now. The client serializes a stream's commits: the first partition's
   * goes out at once, the others' merge into one request after it, and a lower offset never
   * overwrites a higher one.
   */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const message of this.#pending.values()) {
      const committing = Promise.resolve(message.commit()).then(
        () => undefined,
        (error: unknown) => this.#failed(message, error),
      );
      this.#inFlight.add(committing);
      void committing.finally(() => this.#inFlight.delete(committing));
    }
    this.#pending.clear();
  }

  /** Sends what is pending and resolves once every commit sent has settled. */
  async settle(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.#inFlight]);
  }
}
