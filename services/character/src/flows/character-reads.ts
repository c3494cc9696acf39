import { loadoutVersionKey } from '@necp/platform';
import { checkCallerOwns, checkLive, etagOf, ifMatchHolds } from '../domain/character.ts';
import { loadoutOf, sheetFromEquipment, summaryOf } from '../domain/sheet.ts';
import { findCharacter, findCharacterWithEquipment, listCharacters } from '../store/characters.ts';
import { listStacks } from '../store/inventory.ts';
import type { CharacterDeps } from './deps.ts';

export interface CharacterListQuery {
  limit: number;
  cursor?: string | undefined;
  /** The restorable ones instead of the live ones. */
  deleted: boolean;
}

/** The caller's characters, a page at a time. */
export async function charactersOf(deps: CharacterDeps, accountId: string, query: CharacterListQuery) {
  const page = await listCharacters(deps.kysely, accountId, query);
  return { items: page.characters.map(summaryOf), nextCursor: page.nextCursor };
}

/**
 * A character's sheet row: the copy kept under its current loadout version, or the row read after
 * the version was (and kept under it). A write moves the version before it answers, so a read after
 * it never finds the copy from before.
 */
async function sheetRow(deps: CharacterDeps, characterId: string, nowMs: number) {
  const version = await deps.cache.get(loadoutVersionKey(characterId));
  const kept = deps.sheets.get(characterId, version, nowMs);
  if (kept) return kept;
  const row = await findCharacterWithEquipment(deps.kysely, characterId);
  if (row) deps.sheets.keep(characterId, version, row, nowMs);
  return row;
}

/** The owner's sheet and its ETag; no sheet when `ifNoneMatch` names the current version (a 304). */
export async function characterSheet(
  deps: CharacterDeps,
  accountId: string,
  characterId: string,
  ifNoneMatch: string | undefined,
  nowMs = Date.now(),
) {
  const character = await sheetRow(deps, characterId, nowMs);
  checkCallerOwns(character, accountId);
  const etag = etagOf(character.id, character.version);
  const unchanged = ifNoneMatch !== undefined && ifMatchHolds(ifNoneMatch, etag);
  return { etag, sheet: unchanged ? undefined : sheetFromEquipment(character, character.equipped) };
}

/** For other services: who owns a live character and what it fights with. */
export async function characterLoadout(deps: CharacterDeps, characterId: string) {
  const character = await findCharacter(deps.kysely, characterId);
  checkLive(character);
  return loadoutOf(character, await listStacks(deps.kysely, character.id));
}

/** For other services: a live character's skills as they are now (one row, no inventory). */
export async function characterSkills(deps: CharacterDeps, characterId: string) {
  const character = await findCharacter(deps.kysely, characterId);
  checkLive(character);
  return { characterId: character.id, skills: character.skills };
}
