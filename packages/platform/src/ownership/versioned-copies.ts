/**
 * Copies of a character's data kept in one process, each under the loadout version
 * (`loadoutVersionKey`, shared cache) read BEFORE the data was read: character-service moves the
 * version after every change it commits, so a read that starts after a change finds a new version
 * and reads again, on every replica; data read under an old version is kept under that old one, so
 * a copy is never older than its version says. Two bounds cover what a version cannot: a copy lives
 * at most `ttlSeconds` (a process that died between its commit and the move), and at most `limit`
 * copies are kept (the oldest go first). No version (never moved, evicted), no copy.
 */
export class VersionedCopies<T> {
  readonly #copies = new Map<string, { version: string; value: T; expiresAtMs: number }>();
  readonly #ttlMs: number;
  readonly #limit: number;

  constructor(options: { ttlSeconds: number; limit: number }) {
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#limit = options.limit;
  }

  /** The copy kept under exactly this version and still within its time, if any. */
  get(characterId: string, version: string | null, nowMs: number): T | undefined {
    if (version === null) return undefined;
    const copy = this.#copies.get(characterId.toLowerCase());
    if (copy === undefined || copy.version !== version || copy.expiresAtMs <= nowMs) return undefined;
    return copy.value;
  }

  /** Keeps `value`, read after `version` was; without a version nothing is kept. */
  keep(characterId: string, version: string | null, value: T, nowMs: number): void {
    if (version === null || this.#ttlMs <= 0 || this.#limit <= 0) return;
    const key = characterId.toLowerCase();
    this.#copies.delete(key);
    this.#copies.set(key, { version, value, expiresAtMs: nowMs + this.#ttlMs });
    // A Map iterates in insertion order: the first key is the copy kept longest ago.
    while (this.#copies.size > this.#limit) this.#copies.delete(this.#copies.keys().next().value as string);
  }
}
