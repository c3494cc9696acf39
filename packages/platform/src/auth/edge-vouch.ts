import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PlatformConfig } from '../config.ts';

/**
 * The header the gateway forwards with a request whose bearer token it verified and checked against
 * the deny-list: `<time in ms>.<HMAC-SHA256 of the time and the token>` under EDGE_VOUCH_KEY, a key
 * only the gateway and the services hold. A service holding the key takes such a token without a
 * second deny-list check (a round trip to the cache per request); a request without the header, or
 * with one that does not verify for this token, gets the full check, so a service reached directly
 * is as strict as before.
 */
export const EdgeVouchHeader = 'x-necp-edge-vouch';

/** How old a vouch may be: longer than a request takes to reach the service, too short to be kept. */
const MaxAgeMs = 10_000;
/**
 * A client sends its token with every request: the gateway signs it once per this long and the
 * service checks each signature once, so one HMAC per client per second, not two per request.
 */
const ReuseMs = 1_000;
/** Tokens (gateway) and headers (service) remembered at most; all forgotten at once past it. */
const RememberedMax = 10_000;

export interface EdgeVouch {
  /** The header's value for `token`, now. */
  sign(token: string, now?: number): string;
  /** True when `header` vouches for exactly `token` and is recent. */
  holds(header: string | string[] | undefined, token: string, now?: number): boolean;
}

function mac(key: string, at: string, token: string): Buffer {
  return createHmac('sha256', key).update(at).update('.').update(token).digest();
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= RememberedMax) map.clear();
  map.set(key, value);
}

export function createEdgeVouch(key: string): EdgeVouch {
  /** The gateway's latest header for each token, and when it was signed. */
  const signed = new Map<string, { at: number; header: string }>();
  /** Headers that verified, with the token each stands for (their time is still checked on each use). */
  const verified = new Map<string, string>();
  return {
    sign(token, now = Date.now()) {
      const last = signed.get(token);
      if (last && now >= last.at && now - last.at < ReuseMs) return last.header;
      const at = String(now);
      const header = `${at}.${mac(key, at, token).toString('base64url')}`;
      remember(signed, token, { at: now, header });
      return header;
    },
    holds(header, token, now = Date.now()) {
      if (typeof header !== 'string') return false;
      const dot = header.indexOf('.');
      const at = header.slice(0, dot);
      if (dot <= 0 || !/^\d{1,16}$/.test(at) || Math.abs(now - Number(at)) > MaxAgeMs) return false;
      if (verified.get(header) === token) return true;
      const given = Buffer.from(header.slice(dot + 1), 'base64url');
      const expected = mac(key, at, token);
      const holds = given.length === expected.length && timingSafeEqual(given, expected);
      if (holds) remember(verified, header, token);
      return holds;
    },
  };
}

/** The deployment's vouch, or undefined when EDGE_VOUCH_KEY is not set (every service checks every token fully). */
export function edgeVouchFor(config: PlatformConfig): EdgeVouch | undefined {
  return config.EDGE_VOUCH_KEY ? createEdgeVouch(config.EDGE_VOUCH_KEY) : undefined;
}
