import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** How long `probe` may keep answering undefined; long enough for a Kafka group's first rebalance. */
  timeoutMs?: number;
  /** The pause between two probes. */
  intervalMs?: number;
}

/**
 * Probes until `probe` answers something other than undefined, and resolves with it: how a test waits
 * for what arrives later (an event consumed, a job done). Fails naming `what` when the time is up.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 100 }: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(intervalMs);
  }
}
