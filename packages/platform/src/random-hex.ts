import { randomBytes } from 'node:crypto';

// Cut from a pooled block of random bytes: one getrandom call per 4 KiB instead of one per id,
// which shows on hot paths (every request's trace ids, every event's id). Unique, not secret.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** `bytes` random bytes as lower-case hex. */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}
