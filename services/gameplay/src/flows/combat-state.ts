/**
 * Cooldowns and per-character combat state in the platform cache (Redis in distributed mode), as
 * TTL keys, so every replica sees what another set: a cooldown is a key that lives until the
 * cooldown ends, the character's open combat a key that lives until it goes idle.
 */
import type { Cache } from '@necp/platform';
import type { CombatSkillId } from '../domain/names.ts';

const cooldownKey = (characterId: string, skillId: CombatSkillId) => `gameplay:cooldown:${characterId}:${skillId}`;
const combatKey = (characterId: string) => `gameplay:combat:${characterId}`;

export type CooldownClaim = { claimed: true; endsAtMs: number } | { claimed: false; endsAtMs: number };

/**
 * Starts a cooldown of `durationMs` unless one is running: one atomic increment, so of two
 * activations at once (on two replicas) exactly one claims it; the other learns when it ends.
 */
export async function claimCooldown(
  cache: Cache,
  characterId: string,
  skillId: CombatSkillId,
  durationMs: number,
  nowMs: number,
): Promise<CooldownClaim> {
  const ttl = Math.max(1, Math.ceil(durationMs));
  const counter = await cache.increment(cooldownKey(characterId, skillId), 1, ttl);
  if (counter.value === 1) return { claimed: true, endsAtMs: nowMs + ttl };
  return { claimed: false, endsAtMs: nowMs + Math.max(counter.ttlMs, 0) };
}

/** Undoes a claim whose activation did not commit. */
export async function releaseCooldown(cache: Cache, characterId: string, skillId: CombatSkillId): Promise<void> {
  await cache.delete(cooldownKey(characterId, skillId));
}

/** When the running cooldown ends (epoch ms), or null when none runs. */
export async function cooldownEnd(
  cache: Cache,
  characterId: string,
  skillId: CombatSkillId,
  nowMs: number,
): Promise<number | null> {
  const ttl = await cache.ttl(cooldownKey(characterId, skillId));
  return ttl > 0 ? nowMs + ttl : null;
}

/** Moves a running cooldown's end (a ricochet chain's cut); an end not after now ends it. */
export async function moveCooldownEnd(
  cache: Cache,
  characterId: string,
  skillId: CombatSkillId,
  endsAtMs: number,
  nowMs: number,
): Promise<void> {
  const key = cooldownKey(characterId, skillId);
  const remaining = Math.ceil(endsAtMs - nowMs);
  if (remaining > 0) await cache.set(key, '1', remaining);
  else await cache.delete(key);
}

/** The combat the character is in, if its last shot is recent enough. */
export function openCombat(cache: Cache, characterId: string): Promise<string | null> {
  return cache.get(combatKey(characterId));
}

/** The character is in `combatId` until `idleMs` pass without a shot. */
export async function keepCombatOpen(cache: Cache, characterId: string, combatId: string, idleMs: number) {
  await cache.set(combatKey(characterId), combatId, idleMs);
}
