import { AppError } from '../problem.ts';

/**
 * A service's calls to another service's internal endpoints (`/internal/v1/...`, role `service`).
 * One rule for every such call, so a caller's clients see the same answers whichever lookup failed:
 *
 * - 404 from the other service is an answer (`null`): the thing does not exist there.
 * - No answer at all (connection refused or reset, timeout, no service token) or a 503 from it:
 *   503 `UPSTREAM_UNAVAILABLE` with `Retry-After`, the other service is down for now.
 * - Any other answer it should not give (another status, a body that is not JSON):
 *   502 `UPSTREAM_UNAVAILABLE`, a bad gateway.
 *
 * Never a 500: the caller's own code did nothing wrong.
 */
export interface InternalClientOptions {
  /** The other service's base address (e.g. CHARACTER_URL). */
  baseUrl: string;
  /** Its name in problem details, e.g. `character-service`. */
  upstream: string;
  /** The `Authorization` header for the call: the caller's client-credentials token with role `service`. */
  authorization?: () => Promise<string>;
  timeoutMs?: number;
}

export interface InternalClient {
  /**
   * GET `path` (from the base address): the JSON body, or null when the other service answers 404.
   * `purpose` names the call in problem details ("an ownership check").
   */
  getJson(path: string, purpose: string): Promise<unknown>;
}

/** Seconds a client is told to wait before trying again while the other service is down. */
export const UpstreamRetryAfterSeconds = 1;

export function upstreamUnavailable(detail: string): AppError {
  return new AppError('UPSTREAM_UNAVAILABLE', detail, {
    status: 503,
    headers: { 'retry-after': String(UpstreamRetryAfterSeconds) },
  });
}

export function upstreamBadAnswer(detail: string): AppError {
  return new AppError('UPSTREAM_UNAVAILABLE', detail, { status: 502 });
}

export function createInternalClient(options: InternalClientOptions): InternalClient {
  const base = options.baseUrl.replace(/\/$/, '');
  const upstream = options.upstream;
  return {
    async getJson(path, purpose) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.authorization) {
        try {
          headers.authorization = await options.authorization();
        } catch (error) {
          throw upstreamUnavailable(`${upstream} cannot be asked for ${purpose}: no service token (${message(error)})`);
        }
      }
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 3_000) });
      } catch (error) {
        throw upstreamUnavailable(`${upstream} cannot be reached for ${purpose}: ${message(error)}`);
      }
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) {
        await response.body?.cancel();
        const detail = `${upstream} answered ${response.status} to ${purpose}`;
        throw response.status === 503 ? upstreamUnavailable(detail) : upstreamBadAnswer(detail);
      }
      try {
        return (await response.json()) as unknown;
      } catch (error) {
        const name = (error as { name?: unknown }).name;
        if (name === 'TimeoutError' || name === 'AbortError') {
          throw upstreamUnavailable(`${upstream} did not finish answering ${purpose}: ${message(error)}`);
        }
        throw upstreamBadAnswer(`${upstream} answered ${purpose} with a body that is not JSON: ${message(error)}`);
      }
    },
  };
}

function message(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const own = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${own} (${cause.message})` : own;
}
