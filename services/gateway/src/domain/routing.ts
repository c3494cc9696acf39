import type { ServiceName } from '@necp/platform';

/** Which service answers which path prefix (shared/API.md §8). */
export const upstreamPrefixes: ReadonlyArray<{ prefix: string; service: ServiceName }> = [
  { prefix: '/api/v1/auth', service: 'auth' },
  { prefix: '/.well-known', service: 'auth' },
  { prefix: '/api/v1/characters', service: 'character' },
  { prefix: '/api/v1/gameplay', service: 'gameplay' },
  { prefix: '/api/v1/social', service: 'social' },
  { prefix: '/api/v1/economy', service: 'economy' },
  { prefix: '/api/v1/world', service: 'world' },
];

/** The services behind the gateway, in a stable order. */
export const upstreamServices: ServiceName[] = [...new Set(upstreamPrefixes.map((route) => route.service))];

export type UpstreamFailure = { status: 502 | 503 | 504; code: 'UPSTREAM_UNAVAILABLE' | 'UPSTREAM_TIMEOUT' };

/** NECP_CHANNEL_*: the gateway's channel to a service (routes/service-channel.ts). */
const refusedCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ECONNRESET',
  'UND_ERR_SOCKET',
  'NECP_CHANNEL_CLOSED',
]);
const timeoutCodes = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'FST_REPLY_FROM_TIMEOUT',
  'NECP_CHANNEL_TIMEOUT',
]);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error; current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (codes.length > 5) break;
  }
  return codes;
}

/** A slow service is 504, one that refuses connections is down (503), anything else a bad gateway (502). */
export function classifyUpstreamError(error: unknown): UpstreamFailure {
  const codes = errorCodes(error);
  if (codes.some((code) => timeoutCodes.has(code))) return { status: 504, code: 'UPSTREAM_TIMEOUT' };
  if (codes.some((code) => refusedCodes.has(code))) return { status: 503, code: 'UPSTREAM_UNAVAILABLE' };
  return { status: 502, code: 'UPSTREAM_UNAVAILABLE' };
}
