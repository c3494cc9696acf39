/**
 * The only arithmetic the model uses: + − × ÷, comparisons and Math.round/min/max, which IEEE 754
 * defines exactly, so a result never hangs on a transcendental function's last bits (sin, exp, pow with
 * a fractional exponent differ between engines and Node versions). Integer powers are loops.
 */

export function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** Rounded to 4 decimals: probabilities and multipliers as reported. */
export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Rounded to 2 decimals: damage and energy as reported. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** base^exponent for a non-negative integer exponent, by repeated multiplication. */
export function integerPower(base: number, exponent: number): number {
  let result = 1;
  for (let i = 0; i < exponent; i += 1) result *= base;
  return result;
}
