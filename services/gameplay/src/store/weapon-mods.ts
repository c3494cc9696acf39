import { sql } from 'kysely';
import type { ModSlot } from '../domain/names.ts';
import type { Queryable, Trx } from './tables.ts';

export interface InstalledMod {
  slot: ModSlot;
  modItemId: string;
  modId: string;
}

/** The mods installed on a weapon, as stored (whether the character still owns them is the flow's to check). */
export async function installedMods(db: Queryable, weaponId: string): Promise<InstalledMod[]> {
  const rows = await db
    .selectFrom('mvp_core.gameplay_weapon_mods')
    .select(['slot', 'mod_item_id', 'mod_id'])
    .where('weapon_id', '=', weaponId)
    .execute();
  return rows.map((row) => ({ slot: row.slot, modItemId: row.mod_item_id, modId: row.mod_id }));
}

/** Where each of a character's mod items is installed: mod item id → weapon id. */
export async function weaponsHolding(db: Queryable, modItemIds: readonly string[]): Promise<Map<string, string>> {
  if (modItemIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('mvp_core.gameplay_weapon_mods')
    .select(['mod_item_id', 'weapon_id'])
    .where('mod_item_id', 'in', modItemIds)
    .execute();
  return new Map(rows.map((row) => [row.mod_item_id, row.weapon_id]));
}

/** Serializes the changes to one weapon's mods (two PATCHes of one weapon run one after the other). */
export async function lockWeapon(trx: Trx, weaponId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`gameplay.weapon:${weaponId}`}))`.execute(trx);
}

/** The weapon's mods become `mods`, in the caller's transaction. */
export async function replaceMods(
  trx: Trx,
  weapon: { weaponId: string; characterId: string },
  mods: readonly InstalledMod[],
): Promise<void> {
  await trx.deleteFrom('mvp_core.gameplay_weapon_mods').where('weapon_id', '=', weapon.weaponId).execute();
  if (mods.length === 0) return;
  await trx
    .insertInto('mvp_core.gameplay_weapon_mods')
    .values(
      mods.map((mod) => ({
        weapon_id: weapon.weaponId,
        slot: mod.slot,
        character_id: weapon.characterId,
        mod_item_id: mod.modItemId,
        mod_id: mod.modId,
      })),
    )
    .execute();
}

/** Takes these mod items off whatever weapon holds them (a weapon its owner no longer has). */
export async function uninstallItems(trx: Trx, modItemIds: readonly string[]): Promise<void> {
  if (modItemIds.length === 0) return;
  await trx.deleteFrom('mvp_core.gameplay_weapon_mods').where('mod_item_id', 'in', modItemIds).execute();
}

/** Whether `error` is the database refusing a mod item installed on a second weapon. */
export function isModItemTaken(error: unknown): boolean {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  const message = error instanceof Error ? error.message : '';
  return (
    code === '23505' &&
    (constraint === 'gameplay_weapon_mods_one_weapon_per_item' ||
      message.includes('gameplay_weapon_mods_one_weapon_per_item'))
  );
}
