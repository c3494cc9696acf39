/**
 * The version of a character's combat loadout (owner, district, skills, inventory, equipment) in the
 * shared cache: character-service moves it after every change it commits to any of them, and a
 * service that keeps a copy of the loadout (gameplay, per simulation) keeps it only under the version
 * it read BEFORE it asked for the loadout, so a copy is never newer in name than in content. Over a
 * shared Redis (or in one process) a move is seen by every replica at once.
 *
 * A version is a random value with no expiry: an absent key (never moved, or evicted) is no version
 * at all, and a reader that finds none keeps no copy, so a key that comes back can never match an
 * old copy by accident.
 */
import { randomUUID } from 'node:crypto';
import type { Cache } from '../cache/cache.ts';

/** UUIDs are case-insensitive: every spelling of one id shares one version. */
export function loadoutVersionKey(characterId: string): string {
  return `character:loadout-version:${characterId.toLowerCase()}`;
}

/** Moves the version: every copy kept under the old one stops counting. */
export async function loadoutChanged(cache: Cache, characterId: string): Promise<void> {
  await cache.set(loadoutVersionKey(characterId), randomUUID());
}
