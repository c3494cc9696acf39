/**
 * What simulate keeps of a character in this process (platform's VersionedCopies, under the loadout
 * version read BEFORE the answer and the rows were read): character-service's internal answer and the
 * mods installed on each of its weapons that fired. character-service moves the version after every
 * change it commits (gear, skills, district, deletion), and gameplay after every weapon-mods PATCH, so a
 * dropped mod or weapon stops counting at once, on every replica. `GAMEPLAY_LOADOUT_COPY_SECONDS` bounds
 * what a version cannot cover (a character-service that died between its commit and the move, a crafted
 * item granted in a consumer's transaction); `GAMEPLAY_LOADOUT_COPIES` bounds how many are kept.
 */
import type { VersionedCopies } from '@necp/platform';
import type { InstalledMod } from '../store/weapon-mods.ts';
import type { CombatCharacter } from './character-loadout.ts';

export interface LoadoutCopy {
  character: CombatCharacter;
  /** The installed rows of the character's weapons read under this version, by weapon id. */
  installed: Map<string, readonly InstalledMod[]>;
}

export type LoadoutCopies = VersionedCopies<LoadoutCopy>;
