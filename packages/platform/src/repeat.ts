/** Work repeated on a timer; see `repeatEvery`. */
export interface Repeating {
  /** Runs the work now, unless a run is already in progress (then waits for that one). */
  runNow(): Promise<void>;
  /** Clears the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMs`, one run at a time: a tick that finds a run in progress adds no
 * second one. A failed run goes to `onError` and the next tick tries again. The timer does not keep
 * the process alive (servers do).
 */
export function repeatEvery(
  intervalMs: number,
  work: () => Promise<unknown>,
  onError: (error: unknown) => void,
): Repeating {
  let running: Promise<void> | undefined;
  const runNow = () => {
    running ??= work()
      .then(
        () => undefined,
        (error: unknown) => onError(error),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(runNow, intervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
