import { type District, SkillNames, type Skills } from '@necp/contracts';
import { AppError, characterNotFound, characterNotOwned } from '@necp/platform';
import { findTemplate } from './items.ts';
import {
  type Attributes,
  type CharacterClass,
  CharacterRules,
  DerivedStatRules,
  type Origin,
  SkillRange,
  StartingAttributes,
  StartingDistrict,
  StartingSkills,
} from './rules.ts';

/**
 * Letters and digits of any script, single spaces or hyphens between them: no leading, trailing or
 * doubled separators, so "  Jo" and "V--" cannot pass for other names.
 */
export const NamePattern = /^[\p{L}\p{N}]+(?:[ -][\p{L}\p{N}]+)*$/u;

/** The name as stored (NFC), or a 400 naming the rule it breaks. */
export function validateName(raw: string): string {
  const name = raw.normalize('NFC');
  const length = [...name].length;
  if (length < CharacterRules.nameMinLength || length > CharacterRules.nameMaxLength || !NamePattern.test(name)) {
    throw new AppError(
      'VALIDATION_ERROR',
      `name must be ${CharacterRules.nameMinLength}-${CharacterRules.nameMaxLength} letters or digits, separated by single spaces or hyphens`,
      { errors: [{ path: 'body/name', message: 'breaks the naming rules' }] },
    );
  }
  return name;
}

export function nameTakenError(): AppError {
  return new AppError('NAME_TAKEN', 'Another character has this name');
}

/** The key names are unique on: case and Unicode width do not make two names different. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

export interface NewCharacterStats {
  attributes: Attributes;
  skills: Skills;
  district: District;
  level: number;
  xp: number;
  reputation: number;
  health: number;
}

export function startingStats(origin: Origin, characterClass: CharacterClass): NewCharacterStats {
  const attributes = { ...StartingAttributes[characterClass] };
  const given = StartingSkills[characterClass];
  const skills = Object.fromEntries(SkillNames.map((skill) => [skill, given[skill] ?? SkillRange.min])) as Skills;
  return {
    attributes,
    skills,
    district: StartingDistrict[origin],
    level: CharacterRules.startingLevel,
    xp: CharacterRules.startingXp,
    reputation: CharacterRules.startingReputation,
    health: derivedStats(attributes, []).maxHealth,
  };
}

export interface DerivedStats {
  maxHealth: number;
  armor: number;
  weightCapacityKg: number;
  backpackSlots: number;
}

function numericStat(templateId: string, stat: string): number {
  const value = findTemplate(templateId)?.stats[stat];
  return typeof value === 'number' ? value : 0;
}

/** DOMAIN.md's formulas; `equipped` are the template ids in equipment slots. */
export function derivedStats(attributes: Attributes, equipped: readonly string[]): DerivedStats {
  const equipmentHealth = equipped.reduce((sum, id) => sum + numericStat(id, 'maxHealth'), 0);
  const equipmentArmor = equipped.reduce((sum, id) => sum + numericStat(id, 'armor'), 0);
  return {
    maxHealth: DerivedStatRules.baseMaxHealth + DerivedStatRules.maxHealthPerBody * attributes.body + equipmentHealth,
    armor: DerivedStatRules.armorPerBody * attributes.body + equipmentArmor,
    weightCapacityKg:
      DerivedStatRules.baseWeightCapacityKg + DerivedStatRules.weightCapacityPerBodyKg * attributes.body,
    backpackSlots: DerivedStatRules.backpackSlots,
  };
}

const DayMs = 24 * 60 * 60 * 1000;

export function restorableUntil(deletedAt: Date): Date {
  return new Date(deletedAt.getTime() + CharacterRules.restoreWindowDays * DayMs);
}

/** Why a deleted character cannot come back, checked in the order a player can act on. */
export function checkRestore(input: { deletedAt: Date | null; liveCount: number; now: Date }): void {
  if (!input.deletedAt) throw new AppError('INVALID_STATE', 'The character is not deleted');
  if (input.now.getTime() > restorableUntil(input.deletedAt).getTime()) {
    throw new AppError('RESTORE_EXPIRED', `Characters can be restored for ${CharacterRules.restoreWindowDays} days`);
  }
  checkFreeSlot(input.liveCount);
}

export function checkFreeSlot(liveCount: number): void {
  if (liveCount >= CharacterRules.slotsPerAccount) {
    throw new AppError('CHARACTER_LIMIT', `An account has ${CharacterRules.slotsPerAccount} character slots`);
  }
}

/** A strong validator that changes whenever anything on the sheet does (the row's version). */
export function etagOf(characterId: string, version: number): string {
  return `"${characterId}.${version}"`;
}

/** `If-Match`, when sent, must name the current version (412 otherwise). */
export function checkIfMatch(ifMatch: string | undefined, current: string): void {
  if (ifMatch !== undefined && !ifMatchHolds(ifMatch, current)) {
    throw new AppError('PRECONDITION_FAILED', 'The character changed since this ETag was read', {
      extensions: { etag: current },
    });
  }
}

/** `If-Match` matches when any listed tag (or `*`) is the current one. */
export function ifMatchHolds(header: string, current: string): boolean {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === current);
}

/** What the access rules look at. */
interface Owned {
  accountId: string;
  deletedAt: Date | null;
}

/** Actions that are not the owner's (grants, other services) need a live character: 404 otherwise. */
export function checkLive<C extends Owned>(character: C | undefined): asserts character is C {
  if (!character || character.deletedAt !== null) throw characterNotFound();
}

/**
 * The owner's actions: an absent character (or a deleted one, unless `includeDeleted`) is 404,
 * another account's is 403.
 */
export function checkCallerOwns<C extends Owned>(
  character: C | undefined,
  accountId: string,
  options: { includeDeleted?: boolean } = {},
): asserts character is C {
  if (!character || (character.deletedAt !== null && !options.includeDeleted)) throw characterNotFound();
  if (character.accountId !== accountId) throw characterNotOwned();
}
