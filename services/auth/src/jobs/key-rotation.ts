import type { ServiceContext, StopJob } from '@necp/platform';
import type { AuthApp } from '../flows/auth-app.ts';

/** Rotates signing keys on schedule and picks up keys other replicas made. */
export async function keyRotationJob(auth: AuthApp, context: ServiceContext): Promise<StopJob> {
  const intervalMs = Math.min(60_000, (auth.settings.keyPrepublishSeconds * 1000) / 2);
  const timer = setInterval(() => {
    auth.keys.rotate().catch((error: unknown) => context.logger.error({ err: error }, 'key rotation failed'));
  }, intervalMs);
  timer.unref();
  return async () => clearInterval(timer);
}
