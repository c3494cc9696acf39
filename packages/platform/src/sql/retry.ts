/**
 * PostgreSQL may abort one of two racing transactions (deadlock victim, serialization failure) or
 * refuse the loser of a unique race; all three are safe to run again from the start, and the rerun
 * then sees the winner's committed rows (a replayed idempotency key, an already-open account).
 */
const RETRYABLE = new Set(['40P01', '40001', '23505']);

function sqlState(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export async function retryTransaction<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const state = sqlState(error);
      if (attempt >= attempts || state === undefined || !RETRYABLE.has(state)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
