/** Reads the values of keys in one round trip (an MGET). */
export type ReadKeys = (keys: string[]) => Promise<(string | null)[]>;

interface Batch {
  keys: string[];
  /** Where each key stands in `keys`: a key several readers want is read once. */
  slots: Map<string, number>;
  readers: { keys: readonly string[]; resolve(values: (string | null)[]): void; reject(error: unknown): void }[];
}

/**
 * The reads of one event-loop turn as one: every `read` before the turn's check phase joins one
 * `readKeys` of all their keys, each key once, sent then. A reader still gets values read after it
 * asked (the one read leaves after every read that joins it was asked for), so nothing it reads is
 * older than its asking; but a turn's requests (a gateway takes many clients' requests in one) cost
 * one command, one write and one answer to parse instead of one each.
 */
export class TurnReads {
  readonly #readKeys: ReadKeys;
  #batch: Batch | undefined;

  constructor(readKeys: ReadKeys) {
    this.#readKeys = readKeys;
  }

  read(keys: readonly string[]): Promise<(string | null)[]> {
    let batch = this.#batch;
    if (!batch) {
      const started: Batch = { keys: [], slots: new Map(), readers: [] };
      this.#batch = batch = started;
      setImmediate(() => this.#send(started));
    }
    for (const key of keys) {
      if (batch.slots.has(key)) continue;
      batch.slots.set(key, batch.keys.length);
      batch.keys.push(key);
    }
    const joined = batch;
    return new Promise((resolve, reject) => joined.readers.push({ keys, resolve, reject }));
  }

  #send(batch: Batch): void {
    this.#batch = undefined;
    this.#readKeys(batch.keys).then(
      (values) => {
        for (const reader of batch.readers) {
          reader.resolve(reader.keys.map((key) => values[batch.slots.get(key) as number] ?? null));
        }
      },
      (error: unknown) => {
        for (const reader of batch.readers) reader.reject(error);
      },
    );
  }
}
