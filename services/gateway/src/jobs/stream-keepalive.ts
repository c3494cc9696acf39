import type { StopJob } from '@necp/platform';
import type { GatewayDeps } from '../settings.ts';

/**
 * Keep-alive of the realtime sockets: a ping every interval; a socket that did not answer the
 * previous one (a peer gone without a close) is cut. On stop, every socket is closed as going away.
 */
export async function streamKeepAlive({ stream, settings }: GatewayDeps): Promise<StopJob> {
  const timer = setInterval(() => stream.ping(), settings.STREAM_PING_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    stream.closeAll();
  };
}
