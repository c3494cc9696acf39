/**
 * Copies of characters' combat loadouts (character-service's internal answer, and the mods installed
 * on each of its weapons that fired) kept in this process for `simulate`, each under the loadout
 * version (`loadoutVersionKey`, shared cache) read BEFORE the answer and the rows were read.
 * character-service moves the version after every change it commits (gear, skills, district,
 * deletion), and gameplay after every weapon-mods PATCH, so the next simulation reads a new version
 * and reads again: a dropped mod or weapon stops counting at once, on every replica. Two bounds cover what a version cannot:
 * a copy lives at most `GAMEPLAY_LOADOUT_COPY_SECONDS` (a character-service that died between its
 * commit and the move, a crafted item granted in a consumer's transaction), and at most
 * `GAMEPLAY_LOADOUT_COPIES` copies are kept (the oldest go first). No version (never moved, evicted),
 * no copy.
 */
import type { InstalledMod } from '../store/weapon-mods.ts';
import type { CombatCharacter } from './character-loadout.ts';

export interface LoadoutCopy {
  version: string;
  character: CombatCharacter;
  /** The installed rows of the character's weapons read under this version, by weapon id. */
  installed: Map<string, readonly InstalledMod[]>;
  expiresAtMs: number;
}

export class LoadoutCopies {
  readonly #copies = new Map<string, LoadoutCopy>();
  readonly #ttlMs: number;
  readonly #limit: number;

  constructor(options: { ttlSeconds: number; limit: number }) {
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#limit = options.limit;
  }

  /** The copy kept under exactly this version and still within its time, if any. */
  get(characterId: string, version: string | null, nowMs: number): LoadoutCopy | undefined {
    if (version === null) return undefined;
    const copy = this.#copies.get(characterId.toLowerCase());
    if (copy === undefined || copy.version !== version || copy.expiresAtMs <= nowMs) return undefined;
    return copy;
  }

  /**
   * Keeps `character` as read under `version` (read before the answer was asked for); the returned
   * copy takes the installed rows read under the same version. Without a version the copy is kept by
   * no one.
   */
  keep(characterId: string, version: string | null, character: CombatCharacter, nowMs: number): LoadoutCopy {
    const copy = { version: version ?? '', character, installed: new Map(), expiresAtMs: nowMs + this.#ttlMs };
    if (version === null || this.#ttlMs <= 0 || this.#limit <= 0) return copy;
    const key = characterId.toLowerCase();
    this.#copies.delete(key);
    this.#copies.set(key, copy);
    // A Map iterates in insertion order: the first key is the copy kept longest ago.
    while (this.#copies.size > this.#limit) this.#copies.delete(this.#copies.keys().next().value as string);
    return copy;
  }
}
