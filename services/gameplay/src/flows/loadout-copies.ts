/**
 * Copies of characters' combat loadouts (character-service's internal answer) kept in this process
 * for `simulate`, each under the loadout version (`loadoutVersionKey`, shared cache) read BEFORE the
 * answer was asked for. character-service moves the version after every change it commits (gear,
 * skills, district, deletion), so the next simulation reads a new version and asks again: a dropped
 * mod or weapon stops counting at once, on every replica. Two bounds cover what a version cannot:
 * a copy lives at most `GAMEPLAY_LOADOUT_COPY_SECONDS` (a character-service that died between its
 * commit and the move, a crafted item granted in a consumer's transaction), and at most
 * `GAMEPLAY_LOADOUT_COPIES` copies are kept (the oldest go first). No version (never moved, evicted),
 * no copy.
 */
import type { CombatCharacter } from './character-loadout.ts';

interface Copy {
  version: string;
  character: CombatCharacter;
  expiresAtMs: number;
}

export class LoadoutCopies {
  readonly #copies = new Map<string, Copy>();
  readonly #ttlMs: number;
  readonly #limit: number;

  constructor(options: { ttlSeconds: number; limit: number }) {
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#limit = options.limit;
  }

  /** The copy kept under exactly this version and still within its time, if any. */
  get(characterId: string, version: string | null, nowMs: number): CombatCharacter | undefined {
    if (version === null) return undefined;
    const copy = this.#copies.get(characterId.toLowerCase());
    if (copy === undefined || copy.version !== version || copy.expiresAtMs <= nowMs) return undefined;
    return copy.character;
  }

  /** Keeps `character` as read under `version` (read before the answer was asked for). */
  keep(characterId: string, version: string | null, character: CombatCharacter, nowMs: number): void {
    if (version === null || this.#ttlMs <= 0 || this.#limit <= 0) return;
    const key = characterId.toLowerCase();
    this.#copies.delete(key);
    this.#copies.set(key, { version, character, expiresAtMs: nowMs + this.#ttlMs });
    // A Map iterates in insertion order: the first key is the copy kept longest ago.
    while (this.#copies.size > this.#limit) this.#copies.delete(this.#copies.keys().next().value as string);
  }
}
