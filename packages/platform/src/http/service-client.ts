import { serviceAuthorization } from '../auth/service-token.ts';
import { type PlatformConfig, type ServiceName, serviceUrl } from '../config.ts';
import { AppError } from '../problem.ts';
import {
  createInternalClient,
  type InternalClient,
  upstreamBadAnswer,
  upstreamUnavailable,
} from './internal-client.ts';

/** A command's answer from another service: its status and JSON body (a problem's `code` among them). */
export interface ServiceAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the caller checks the body it expects
  body: any;
}

/**
 * A service's client for another service, with its own client-credentials token: the reads of
 * `createInternalClient`, and commands whose 2xx and 4xx answers the caller interprets (a 422
 * INSUFFICIENT_FUNDS is an answer, not a fault). No answer, a 5xx or a body that is not JSON are the
 * upstream problems of `createInternalClient`.
 */
export interface ServiceClient extends InternalClient {
  postJson(path: string, body: unknown, purpose: string): Promise<ServiceAnswer>;
}

export interface ServiceClientOptions {
  baseUrl: string;
  upstream: string;
  authorization: () => Promise<string>;
  timeoutMs?: number;
}

export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const base = options.baseUrl.replace(/\/$/, '');
  const { upstream } = options;
  return {
    ...createInternalClient(options),
    async postJson(path, body, purpose) {
      let authorization: string;
      try {
        authorization = await options.authorization();
      } catch (error) {
        throw upstreamUnavailable(`${upstream} cannot be asked for ${purpose}: no service token (${message(error)})`);
      }
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/json', authorization },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 3_000),
        });
      } catch (error) {
        throw upstreamUnavailable(`${upstream} cannot be reached for ${purpose}: ${message(error)}`);
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        const detail = `${upstream} answered ${response.status} to ${purpose}`;
        throw response.status === 503 ? upstreamUnavailable(detail) : upstreamBadAnswer(detail);
      }
      try {
        return { status: response.status, body: (await response.json()) as unknown };
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw upstreamBadAnswer(`${upstream} answered ${purpose} with a body that is not JSON: ${message(error)}`);
      }
    },
  };
}

/** `caller`'s client for `target`'s routes, from configuration: `<TARGET>_URL` and the caller's own token. */
export function serviceClientFor(config: PlatformConfig, caller: ServiceName, target: ServiceName): ServiceClient {
  return createServiceClient({
    baseUrl: serviceUrl(config, target),
    upstream: `${target}-service`,
    authorization: serviceAuthorization(config, caller),
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });
}

function message(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const own = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${own} (${cause.message})` : own;
}
