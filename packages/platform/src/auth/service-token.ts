import type { PlatformConfig, ServiceName } from '../config.ts';
import { serviceUrl } from '../config.ts';
import { serviceClientId, serviceClientSecret, serviceClientSecretVariable } from './client-secrets.ts';
import { discover } from './verifier.ts';

/** A service's own access token (client-credentials grant), fetched once and reused until near expiry. */
export interface ServiceTokenClient {
  token(): Promise<string>;
  /** The `Authorization` header value for a call to another service. */
  authorization(): Promise<string>;
}

export interface ServiceTokenClientOptions {
  /** The token endpoint, or how to find it (discovery). */
  tokenEndpoint: string | (() => Promise<string>);
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Renew this many seconds before expiry, so a token never expires in flight. */
  refreshMarginSeconds?: number;
  fetchTimeoutMs?: number;
  now?: () => number;
}

export class ServiceTokenError extends Error {
  override name = 'ServiceTokenError';
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

export function createServiceTokenClient(options: ServiceTokenClientOptions): ServiceTokenClient {
  const now = options.now ?? Date.now;
  const marginMs = (options.refreshMarginSeconds ?? 60) * 1000;
  let cached: { token: string; renewAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const fetchToken = async (): Promise<string> => {
    const endpoint = typeof options.tokenEndpoint === 'string' ? options.tokenEndpoint : await options.tokenEndpoint();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
    });
    if (options.scope) form.set('scope', options.scope);
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(options.fetchTimeoutMs ?? 5000),
    });
    const body = (await response.json().catch(() => ({}))) as TokenResponse;
    if (!response.ok || typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      const reason = typeof body.error === 'string' ? `${body.error}: ${String(body.error_description ?? '')}` : '';
      throw new ServiceTokenError(
        `client ${options.clientId} got no token from ${endpoint} (${response.status}) ${reason}`,
      );
    }
    // Half the lifetime at most, so a short-lived token is still renewed before it runs out.
    const lifetimeMs = body.expires_in * 1000;
    cached = { token: body.access_token, renewAt: now() + Math.max(lifetimeMs - marginMs, lifetimeMs / 2) };
    return body.access_token;
  };

  const token = async (): Promise<string> => {
    if (cached && now() < cached.renewAt) return cached.token;
    // Concurrent callers share one request instead of each asking the issuer.
    inFlight ??= fetchToken().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return { token, authorization: async () => `Bearer ${await token()}` };
}

/** `service`'s token client from configuration: the issuer's token endpoint and its client secret. */
export function serviceTokenClientFor(config: PlatformConfig, service: ServiceName): ServiceTokenClient {
  const secret = serviceClientSecret(config, service);
  if (!secret) {
    throw new ServiceTokenError(`${serviceClientSecretVariable(service)} is not set: ${service} has no client secret`);
  }
  let endpoint: Promise<string> | undefined;
  const issuer = config.OIDC_ISSUER;
  const tokenEndpoint = issuer
    ? () => {
        endpoint ??= discover(issuer).then((found) => found.tokenEndpoint);
        endpoint.catch(() => {
          endpoint = undefined;
        });
        return endpoint;
      }
    : `${serviceUrl(config, 'auth')}/api/v1/auth/token`;
  return createServiceTokenClient({ tokenEndpoint, clientId: serviceClientId(service), clientSecret: secret });
}

/**
 * The `Authorization` header for `service`'s calls to other services, its token client built on
 * first use: a service without a client secret still starts, and each call says why it cannot ask.
 */
export function serviceAuthorization(config: PlatformConfig, service: ServiceName): () => Promise<string> {
  let tokens: ServiceTokenClient | undefined;
  return async () => {
    tokens ??= serviceTokenClientFor(config, service);
    return tokens.authorization();
  };
}
