/**
 * Group commit of simulations (telemetry and replay rows with their outbox events): a simulation
 * without an Idempotency-Key joins the writes waiting for the next statement, and its request
 * answers only once that statement committed, so an answered simulation is stored exactly as if it
 * had been written alone. While one statement runs, the next gathers every simulation that arrives
 * (at most `maxBatch`), so under load many shots cost one round trip and one commit instead of one
 * each; alone, a shot waits for nothing but its own write. A failed statement fails every request
 * in it (none of them stored, none answered 200).
 */
import type { SimulationWrite } from '../store/simulations.ts';
import { recordSimulations } from '../store/simulations.ts';
import type { Queryable } from '../store/tables.ts';

interface Waiting {
  write: SimulationWrite;
  settle: (error?: unknown) => void;
}

export class SimulationWrites {
  readonly #db: Queryable;
  readonly #maxBatch: number;
  #waiting: Waiting[] = [];
  #writing = false;

  constructor(db: Queryable, maxBatch: number) {
    this.#db = db;
    this.#maxBatch = maxBatch;
  }

  /** Resolves once the simulation and its events committed. */
  write(write: SimulationWrite): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ write, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      const writes = batch.map((waiting) => waiting.write) as [SimulationWrite, ...SimulationWrite[]];
      try {
        await recordSimulations(this.#db, writes);
        for (const waiting of batch) waiting.settle();
      } catch (error) {
        for (const waiting of batch) waiting.settle(error ?? new Error('the simulations were not stored'));
      }
    }
    this.#writing = false;
  }
}
