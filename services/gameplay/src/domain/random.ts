/**
 * The seeded random source of the model: mulberry32, a 32-bit generator written with Math.imul and
 * unsigned shifts only, so a seed gives the same sequence on every engine and Node version. Small enough
 * to own; not cryptographic (it decides ricochets and status rolls, not secrets).
 */

export const MaxSeed = 0xffff_ffff;

export interface RandomSource {
  /** The next number in [0, 1): an unsigned 32-bit integer divided by 2^32, exact in a double. */
  next(): number;
}

export function isSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MaxSeed;
}

/** A class rather than a closure: one small object per source, not a context, a function and an object. */
class Mulberry32 implements RandomSource {
  #state: number;

  constructor(seed: number) {
    this.#state = seed | 0;
  }

  next(): number {
    const state = (this.#state + 0x6d2b79f5) | 0;
    this.#state = state;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
}

export function createRandom(seed: number): RandomSource {
  if (!isSeed(seed)) throw new RangeError(`seed must be an integer in [0, ${MaxSeed}]`);
  return new Mulberry32(seed);
}

/** A seed from text (a UUID, a combat id): 32-bit FNV-1a over its UTF-16 code units. */
export function seedFromText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
