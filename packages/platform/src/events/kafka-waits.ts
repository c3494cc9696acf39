/**
 * Bounded waits for the Kafka bus. The client retries through a broker outage without end, so any
 * wait on it that a caller or a shutdown depends on gets a deadline here.
 */
import type { Admin, Producer } from '@platformatic/kafka';

/** How long a closing client waits for the broker before it closes its connections by force. */
export const STOP_WAIT_MS = 5_000;

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Closes a client, by force once the broker has not answered within `STOP_WAIT_MS`. */
export function closeClient(client: Producer<string, string, string, string> | Admin): Promise<void> {
  return withTimeout(client.close(), STOP_WAIT_MS).catch(() => client.close(true));
}
