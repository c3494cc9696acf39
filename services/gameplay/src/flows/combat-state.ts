/**
 * Cooldowns and per-character combat state in the platform cache (Redis in distributed mode), as
 * TTL keys, so every replica sees what another set: a cooldown is a key that lives until the
 * cooldown ends, the character's open combat a key that lives until it goes idle.
 */
import { type Cache, loadoutVersionKey } from '@necp/platform';
import type { CombatSkillId } from '../domain/names.ts';

const cooldownKey = (characterId: string, skillId: CombatSkillId) => `gameplay:cooldown:${characterId}:${skillId}`;
/** Beside the claim, the exact end (epoch ms) every replica answers, living as long as the claim. */
const cooldownEndKey = (characterId: string, skillId: CombatSkillId) =>
  `gameplay:cooldown-end:${characterId}:${skillId}`;
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
  if (counter.value === 1) {
    const endsAtMs = nowMs + ttl;
    await cache.set(cooldownEndKey(characterId, skillId), String(endsAtMs), ttl);
    return { claimed: true, endsAtMs };
  }
  // The winner may not have written the end yet: its claim's expiry says the same, to the millisecond.
  const stored = await cache.get(cooldownEndKey(characterId, skillId));
  return { claimed: false, endsAtMs: stored === null ? nowMs + Math.max(counter.ttlMs, 0) : Number(stored) };
}

/** Undoes a claim whose activation did not commit. */
export async function releaseCooldown(cache: Cache, characterId: string, skillId: CombatSkillId): Promise<void> {
  await cache.delete(cooldownKey(characterId, skillId));
  await cache.delete(cooldownEndKey(characterId, skillId));
}

/** When the running cooldown ends (epoch ms), or null when none runs. */
export async function cooldownEnd(
  cache: Cache,
  characterId: string,
  skillId: CombatSkillId,
  nowMs: number,
): Promise<number | null> {
  return runningEnd(await cache.get(cooldownEndKey(characterId, skillId)), nowMs);
}

/** A stored end that is still ahead, or null. */
function runningEnd(stored: string | null | undefined, nowMs: number): number | null {
  const endsAtMs = stored == null ? null : Number(stored);
  return endsAtMs !== null && endsAtMs > nowMs ? endsAtMs : null;
}

/** Moves a running cooldown's end (a ricochet chain's cut); an end not after now ends it. */
export async function moveCooldownEnd(
  cache: Cache,
  characterId: string,
  skillId: CombatSkillId,
  endsAtMs: number,
  nowMs: number,
): Promise<void> {
  const remaining = Math.ceil(endsAtMs - nowMs);
  if (remaining <= 0) return releaseCooldown(cache, characterId, skillId);
  await cache.set(cooldownKey(characterId, skillId), '1', remaining);
  await cache.set(cooldownEndKey(characterId, skillId), String(endsAtMs), remaining);
}

/**
 * What a shot needs to know at once, in one round trip: the character's open combat, a running
 * cooldown's end, and its loadout's version (which copy of the loadout may stand in for asking).
 */
export async function shotState(cache: Cache, characterId: string, skillId: CombatSkillId, nowMs: number) {
  const [combatId, end, loadoutVersion] = await cache.getMany([
    combatKey(characterId),
    cooldownEndKey(characterId, skillId),
    loadoutVersionKey(characterId),
  ]);
  return {
    openCombatId: combatId ?? null,
    cooldownEndsAtMs: runningEnd(end, nowMs),
    loadoutVersion: loadoutVersion ?? null,
  };
}

/** The character is in `combatId` until `idleMs` pass without a shot. */
export async function keepCombatOpen(cache: Cache, characterId: string, combatId: string, idleMs: number) {
  await cache.set(combatKey(characterId), combatId, idleMs);
}
