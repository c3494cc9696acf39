/**
 * Cooldown arithmetic as pure functions of the times passed in (epoch milliseconds): the store keeps
 * the end time, these decide. Game seconds pass `timeScale` times faster than real ones (API.md
 * TIME_SCALE), so a 15 s cooldown at scale 3 ends 5 real seconds later.
 */
import { type BallisticsRules, ballisticsConfig } from './ballistics-config.ts';

export interface CooldownClock {
  nowMs: number;
  /** Game speed (API.md TIME_SCALE), > 0; 1 when absent. */
  timeScale?: number;
}

function realMs(gameSeconds: number, timeScale = 1): number {
  if (!(timeScale > 0)) throw new RangeError('timeScale must be positive');
  return (gameSeconds * 1000) / timeScale;
}

/** When a cooldown of `gameSeconds` started now ends. */
export function cooldownEndsAt(clock: CooldownClock, gameSeconds: number): number {
  return clock.nowMs + realMs(gameSeconds, clock.timeScale);
}

/** A cooldown runs while its end is in the future; at its end it is over. */
export function isOnCooldown(endsAtMs: number, nowMs: number): boolean {
  return endsAtMs > nowMs;
}

/** Whole real seconds left, rounded up (a Retry-After), 0 once over. */
export function cooldownRemainingSeconds(endsAtMs: number, nowMs: number): number {
  return endsAtMs > nowMs ? Math.ceil((endsAtMs - nowMs) / 1000) : 0;
}

/** Whether a ricochet chain of this many bounces cuts a running Curved Shot cooldown (2 or more). */
export function chainCutsCooldown(bounces: number, rules: BallisticsRules = ballisticsConfig): boolean {
  return bounces >= rules.ricochetCooldownCut.bounces;
}

/**
 * The Curved Shot cooldown's end after a ricochet chain: 5 game seconds earlier when the chain has 2
 * bounces or more and the cooldown is running, never earlier than now (the cut ends it, it does not
 * bank time); unchanged otherwise. null (no cooldown) stays null.
 */
export function cutCooldownAfterRicochet(
  endsAtMs: number | null,
  bounces: number,
  clock: CooldownClock,
  rules: BallisticsRules = ballisticsConfig,
): number | null {
  if (endsAtMs === null || !isOnCooldown(endsAtMs, clock.nowMs) || !chainCutsCooldown(bounces, rules)) {
    return endsAtMs;
  }
  const cut = endsAtMs - realMs(rules.ricochetCooldownCut.seconds, clock.timeScale);
  return Math.max(cut, clock.nowMs);
}
