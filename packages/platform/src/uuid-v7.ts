import { randomHex } from './random-hex.ts';

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Event ids are made
 * this way so that the ids a consumer recorded sort by age: old ones can be deleted by an index
 * range (see processed-events-sweeper.ts), and new ones go to the right edge of the index.
 */
export function uuidv7(now = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  const random = randomHex(10);
  // The variant's two high bits are 10.
  const variant = ((Number.parseInt(random.charAt(3), 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(7, 19)}`;
}

/** The smallest version-7 UUID of the millisecond `at`: every id made before `at` sorts below it. */
export function uuidv7Floor(at: number): string {
  const time = at.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7000-8000-000000000000`;
}
