/**
 * A weapon's installed mods (GET) and their change (PATCH, merge or overwrite). The mods are rows of
 * gameplay's table; the items are character-service's: a mod item the character no longer owns (it
 * dropped it) no longer counts, and the PATCH that next touches the weapon clears its row. A PATCH
 * that breaks any rule (mods.ts) or names an item the character does not own, or one on another
 * weapon, is refused whole with 422 MOD_CONFLICT naming the slots and suggestions; the database's
 * unique constraint keeps one item on one weapon whatever two requests race.
 */
import { AppError, type AuthContext, loadoutChanged } from '@necp/platform';
import { allConflicts, placeModItems } from '../domain/mod-items.ts';
import { applyModPatch, modStats } from '../domain/mods.ts';
import { type ModSlot, ModSlots } from '../domain/names.ts';
import { weaponProfile } from '../domain/weapon-profile.ts';
import type { InstalledMod } from '../store/weapon-mods.ts';
import { isModItemTaken, lockWeapon, replaceMods, uninstallItems, weaponsHolding } from '../store/weapon-mods.ts';
import {
  type CombatCharacter,
  type CombatWeapon,
  combatCharacter,
  combatWeapon,
  modsBySlot,
  modsInPlace,
} from './character-loadout.ts';
import type { GameplayDeps } from './deps.ts';

export interface ModPatchInput {
  strategy: 'merge' | 'overwrite';
  slots: { slot: ModSlot; modId: string | null; itemId?: string | undefined }[];
}

/** The weapon's mods by slot and the stats they give it. */
function weaponModsView(character: CombatCharacter, weapon: CombatWeapon, mods: readonly InstalledMod[]) {
  const installed = modsBySlot(mods);
  const stats = modStats(installed);
  const profile = weaponProfile(weapon.weaponClass);
  return {
    characterId: character.characterId,
    weaponId: weapon.itemId,
    templateId: weapon.templateId,
    weaponClass: weapon.weaponClass,
    slots: ModSlots.map((slot) => {
      const mod = mods.find((candidate) => candidate.slot === slot);
      return { slot, modId: mod?.modId ?? null, itemId: mod?.modItemId ?? null };
    }),
    stats: { ...stats, damagePerShot: profile.baseDamage * profile.pellets * stats.damageMultiplier },
  };
}

export async function weaponModsOf(deps: GameplayDeps, caller: AuthContext, characterId: string, weaponId: string) {
  const character = await combatCharacter(deps, caller, characterId);
  const weapon = combatWeapon(character, weaponId);
  return weaponModsView(character, weapon, await modsInPlace(deps, character, weapon.itemId));
}

export async function patchWeaponMods(
  deps: GameplayDeps,
  caller: AuthContext,
  characterId: string,
  weaponId: string,
  patch: ModPatchInput,
) {
  const character = await combatCharacter(deps, caller, characterId);
  const weapon = combatWeapon(character, weaponId);
  try {
    const placed = await deps.db.transaction().execute(async (trx) => {
      await lockWeapon(trx, weapon.itemId);
      const current = await modsInPlace({ db: trx }, character, weapon.itemId);
      const applied = applyModPatch(weapon.weaponClass, modsBySlot(current), patch, character.skills);
      const requestedItems: Partial<Record<ModSlot, string>> = {};
      for (const entry of patch.slots) if (entry.itemId !== undefined) requestedItems[entry.slot] = entry.itemId;
      const holdings = await weaponsHolding(
        trx,
        character.mods.map((mod) => mod.itemId),
      );
      // Items on this weapon are the patch's to place; items on a weapon the character no longer has
      // (dropped) are free again, and their stale rows go.
      const ownedWeapons = new Set(character.weapons.map((owned) => owned.itemId));
      const stale: string[] = [];
      for (const [itemId, holder] of holdings) {
        if (holder !== weapon.itemId && ownedWeapons.has(holder)) continue;
        holdings.delete(itemId);
        if (holder !== weapon.itemId) stale.push(itemId);
      }
      const items = placeModItems({
        // The slots that break a mod rule are named once, by that rule.
        mods: Object.fromEntries(
          Object.entries(applied.mods).filter(([slot]) => !applied.conflictingSlots.includes(slot as ModSlot)),
        ),
        requestedItems,
        current,
        owned: character.mods,
        heldElsewhere: holdings,
      });
      const refused = allConflicts(applied.conflicts, items.conflicts);
      if (refused.conflicts.length > 0) throw modConflict(refused);
      await uninstallItems(trx, stale);
      await replaceMods(trx, { weaponId: weapon.itemId, characterId: character.characterId }, items.placed);
      return items.placed;
    });
    // Committed: simulate's copies of this character's installed rows stop counting (loadout-copies.ts).
    await loadoutChanged(deps.cache, character.characterId);
    return weaponModsView(character, weapon, placed);
  } catch (error) {
    if (!isModItemTaken(error)) throw error;
    // Another request installed one of these items on another weapon between our read and write.
    throw modConflict({
      conflictingSlots: patch.slots.filter((entry) => entry.modId !== null).map((entry) => entry.slot),
      conflicts: [],
    });
  }
}

function modConflict(refused: { conflicts: readonly unknown[]; conflictingSlots: readonly ModSlot[] }): AppError {
  const detail =
    refused.conflicts.length > 0
      ? `The mods conflict in: ${refused.conflictingSlots.join(', ')}`
      : 'A mod item of this change was just installed on another weapon';
  return new AppError('MOD_CONFLICT', detail, {
    extensions: { conflictingSlots: refused.conflictingSlots, conflicts: refused.conflicts },
  });
}
