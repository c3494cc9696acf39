/**
 * The character as combat sees it, read from character-service's internal endpoint
 * (`GET /internal/v1/characters/{id}`: owner, district, skills, weapons equipped or carried, equipped
 * implants, owned mod items). Every command asks; `simulate` alone may use a copy kept under the
 * loadout's current version (loadout-copies.ts), which character-service moves with every change. The
 * same answer decides ownership: 404 for a character that does not exist (or is deleted), 403 for
 * another's, checked on a kept copy as on a fresh answer.
 */
import { type Skills, type WeaponClass, WeaponClasses } from '@necp/contracts';
import {
  AppError,
  type AuthContext,
  characterNotFound,
  characterNotOwned,
  hasAnyRole,
  upstreamBadAnswer,
} from '@necp/platform';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import type { InstalledMods, Loadout } from '../domain/names.ts';
import type { InstalledMod } from '../store/weapon-mods.ts';
import { installedMods } from '../store/weapon-mods.ts';
import type { GameplayDeps } from './deps.ts';

/** Who acts for any character: services, and admins in live ops. */
export const ActsForAnyCharacter = ['service', 'admin'] as const;

const Item = Type.Object({ itemId: Type.String(), templateId: Type.String() });
const RemoteCharacter = Type.Object({
  characterId: Type.String(),
  accountId: Type.String(),
  district: Type.Union([Type.String(), Type.Null()]),
  skills: Type.Record(Type.String(), Type.Number()),
  weapons: Type.Array(
    Type.Object({
      itemId: Type.String(),
      templateId: Type.String(),
      slot: Type.Union([Type.String(), Type.Null()]),
      weaponClass: Type.String(),
    }),
  ),
  implants: Type.Array(Item),
  mods: Type.Array(Item),
});

export interface CombatCharacter {
  characterId: string;
  accountId: string;
  district: string | null;
  skills: Partial<Skills>;
  weapons: { itemId: string; templateId: string; slot: string | null; weaponClass: string }[];
  /** Template ids of the equipped implants. */
  implants: string[];
  /** The mod items it owns now (a dropped one is gone from here). */
  mods: { itemId: string; templateId: string }[];
}

export interface CombatWeapon {
  itemId: string;
  templateId: string;
  weaponClass: WeaponClass;
}

/** The character, which must exist and be the caller's (or the caller acts for any character). */
export async function combatCharacter(
  deps: Pick<GameplayDeps, 'characterService'>,
  caller: AuthContext,
  characterId: string,
): Promise<CombatCharacter> {
  return callersCharacter(caller, await askedCharacter(deps, characterId));
}

function callersCharacter(caller: AuthContext, character: CombatCharacter): CombatCharacter {
  if (character.accountId !== caller.accountId && !hasAnyRole(caller, ActsForAnyCharacter)) throw characterNotOwned();
  return character;
}

async function askedCharacter(deps: Pick<GameplayDeps, 'characterService'>, characterId: string) {
  const answer = await deps.characterService.getJson(`/internal/v1/characters/${characterId}`, 'a combat loadout');
  if (answer === null) throw characterNotFound();
  if (!Value.Check(RemoteCharacter, answer)) {
    throw upstreamBadAnswer('character-service answered a combat loadout in another shape');
  }
  return {
    characterId: answer.characterId,
    accountId: answer.accountId,
    district: answer.district,
    skills: answer.skills as Partial<Skills>,
    weapons: answer.weapons,
    implants: answer.implants.map((implant) => implant.templateId),
    mods: answer.mods.map((mod) => ({ itemId: mod.itemId, templateId: mod.templateId })),
  };
}

/** One of the character's weapons (equipped or carried): 404 when it owns no such weapon item. */
export function combatWeapon(character: CombatCharacter, weaponId: string): CombatWeapon {
  const weapon = character.weapons.find((candidate) => candidate.itemId === weaponId);
  if (!weapon) throw new AppError('NOT_FOUND', 'The character owns no such weapon');
  if (!(WeaponClasses as readonly string[]).includes(weapon.weaponClass)) {
    throw upstreamBadAnswer(`character-service named an unknown weapon class: ${weapon.weaponClass}`);
  }
  return { itemId: weapon.itemId, templateId: weapon.templateId, weaponClass: weapon.weaponClass as WeaponClass };
}

/** The weapon's installed mods that still count: those whose item the character still owns. */
export async function modsInPlace(
  deps: Pick<GameplayDeps, 'db'>,
  character: CombatCharacter,
  weaponId: string,
): Promise<InstalledMod[]> {
  return stillOwned(character, await installedMods(deps.db, weaponId));
}

function stillOwned(character: CombatCharacter, mods: readonly InstalledMod[]): InstalledMod[] {
  const owned = new Set(character.mods.map((mod) => mod.itemId));
  return mods.filter((mod) => owned.has(mod.modItemId));
}

export function modsBySlot(mods: readonly InstalledMod[]): InstalledMods {
  return Object.fromEntries(mods.map((mod) => [mod.slot, mod.modId]));
}

/** What the model takes: the weapon's class and counted mods, equipped implants, skills. */
export function modelLoadout(character: CombatCharacter, weapon: CombatWeapon, mods: readonly InstalledMod[]): Loadout {
  return {
    weaponClass: weapon.weaponClass,
    mods: modsBySlot(mods),
    implants: [...character.implants],
    skills: { ...character.skills },
  };
}

/**
 * The character, its weapon and the model's loadout, in one call for the commands that fire. With a
 * `loadoutVersion` (simulate reads it with its combat state, before anything else) the copy kept
 * under it answers, character and installed rows; what it lacks is read and kept under it. The
 * version must be read first: a change committed after it moves it, so a copy is never older than
 * its version says. Ownership is checked on a copy as on a fresh answer.
 */
export async function armedCharacter(
  deps: GameplayDeps,
  caller: AuthContext,
  characterId: string,
  weaponId: string,
  loadoutVersion: string | null = null,
) {
  const nowMs = Date.now();
  const kept = deps.loadouts.get(characterId, loadoutVersion, nowMs);
  const keptRows = kept?.installed.get(weaponId.toLowerCase());
  // The installed rows are read while character-service answers; they count once it says whose they are.
  const [copy, installed] = await Promise.all([
    kept ??
      askedCharacter(deps, characterId).then((character) => {
        const copy = { character, installed: new Map() };
        deps.loadouts.keep(characterId, loadoutVersion, copy, nowMs);
        return copy;
      }),
    keptRows ?? installedMods(deps.db, weaponId),
  ]);
  const character = callersCharacter(caller, copy.character);
  const weapon = combatWeapon(character, weaponId);
  copy.installed.set(weaponId.toLowerCase(), installed);
  const mods = stillOwned(character, installed);
  return { character, weapon, mods, loadout: modelLoadout(character, weapon, mods) };
}
