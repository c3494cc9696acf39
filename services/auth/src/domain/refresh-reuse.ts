import { createHmac, hkdfSync } from 'node:crypto';
import { hashToken } from './secrets.ts';

/**
 * A used refresh token presented again: a `retry` of the same refresh (a client that lost the answer
 * on a flaky network, or raced itself) while the grace window lasts, a `replay` after it (the token
 * leaked: its session ends).
 */
export function reuseOf(usedAt: Date, now: Date, graceSeconds: number): 'retry' | 'replay' {
  return now.getTime() - usedAt.getTime() < graceSeconds * 1000 ? 'retry' : 'replay';
}

/** The key successors are derived with, from the service's secret (the same on every replica). */
export function successorKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'necp-auth', 'refresh-token-successors', 32));
}

/**
 * The refresh token that replaces `token`: an HMAC of it under `key`, so a retry is answered with
 * the same successor although the database keeps only hashes, and nobody without the key can
 * compute it.
 */
export function successorOf(key: Buffer, token: string): { token: string; hash: string } {
  const next = createHmac('sha256', key).update(token).digest('base64url');
  return { token: next, hash: hashToken(next) };
}
