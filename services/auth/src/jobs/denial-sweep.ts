import { deleteExpiredDenials, repeatEvery, type ServiceContext, type StopJob } from '@necp/platform';
import type { AuthApp } from '../flows/auth-app.ts';

/** Deletes denials whose tokens have all expired, every minute (the deny-list loads only live ones). */
export async function denialSweepJob(auth: AuthApp, context: ServiceContext): Promise<StopJob> {
  const sweeps = repeatEvery(
    60_000,
    () => deleteExpiredDenials(auth.db, new Date()),
    (error) => context.logger.warn({ err: error }, 'sweeping expired denials failed; retried later'),
  );
  return () => sweeps.stop();
}
