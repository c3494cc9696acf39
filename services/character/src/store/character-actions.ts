import { randomUUID } from 'node:crypto';
import { AppError, type SqlDatabase } from '@necp/platform';
import {
  checkFreeSlot,
  checkRestore,
  derivedStats,
  etagOf,
  ifMatchHolds,
  nameKey,
  startingStats,
  validateName,
} from '../domain/character.ts';
import { limitsFor, planGrant } from '../domain/inventory.ts';
import { findTemplate } from '../domain/items.ts';
import type { CharacterClass, District, Faction, Origin } from '../domain/rules.ts';
import { StartingKit } from '../domain/rules.ts';
import { inventoryUsage, sheetOf } from '../domain/sheet.ts';
import { writeLifecycle } from '../events.ts';
import {
  type CharacterRow,
  countLive,
  isUniqueViolation,
  lockAccount,
  nameTaken,
  ownedCharacter,
} from './characters.ts';
import { applyGrant, listStacks, toRecord } from './inventory.ts';
import type { Appearance, Queryable } from './tables.ts';
import { type Outcome, runCommand, transact } from './transaction.ts';

export interface CreateCharacterInput {
  name: string;
  origin: Origin;
  class: CharacterClass;
  faction?: Faction | undefined;
  appearance?: Appearance | undefined;
}

const nameTakenError = () => new AppError('NAME_TAKEN', 'Another character has this name');

/** Concurrent creates with one name meet at the unique index; the loser gets the domain's answer. */
async function mappingNameConflict<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTakenError();
    throw error;
  }
}

export async function sheetFor(trx: Queryable, row: CharacterRow) {
  return sheetOf(toRecord(row), await listStacks(trx, row.id));
}

export function createCharacter(
  db: SqlDatabase,
  accountId: string,
  input: CreateCharacterInput,
  idempotencyKey: string | undefined,
): Promise<Outcome> {
  const name = validateName(input.name);
  return mappingNameConflict(() =>
    runCommand(db, { scope: `character:${accountId}:create`, key: idempotencyKey, request: input }, async (trx) => {
      await lockAccount(trx, accountId);
      checkFreeSlot(await countLive(trx, accountId));
      const key = nameKey(name);
      if (await nameTaken(trx, key)) throw nameTakenError();
      const stats = startingStats(input.origin, input.class);
      const now = new Date();
      const row = await trx
        .insertInto('mvp_core.characters')
        .values({
          id: randomUUID(),
          account_id: accountId,
          name,
          name_key: key,
          origin: input.origin,
          class: input.class,
          faction: input.faction ?? null,
          appearance: JSON.stringify(input.appearance ?? {}),
          district: stats.district,
          attributes: JSON.stringify(stats.attributes),
          skills: JSON.stringify(stats.skills),
          level: stats.level,
          xp: stats.xp,
          health: stats.health,
          reputation: stats.reputation,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const limits = limitsFor(derivedStats(stats.attributes, []).weightCapacityKg);
      for (const entry of StartingKit[input.origin]) {
        const template = findTemplate(entry.templateId);
        if (!template) throw new Error(`starting kit names unknown template ${entry.templateId}`);
        const stacks = await listStacks(trx, row.id);
        await applyGrant(
          trx,
          row.id,
          template,
          planGrant(stacks, template, entry.quantity, inventoryUsage(stacks), limits),
        );
      }
      await writeLifecycle(trx, 'created', row);
      return { status: 201, body: await sheetFor(trx, row) };
    }),
  );
}

export interface PatchCharacterInput {
  appearance?: Appearance | undefined;
  district?: District | undefined;
}

/** Appearance keys given replace those keys; `If-Match`, when sent, must name the current version. */
export function patchCharacter(
  db: SqlDatabase,
  accountId: string,
  characterId: string,
  input: PatchCharacterInput,
  ifMatch: string | undefined,
) {
  return transact(db, async (trx) => {
    const current = await ownedCharacter(trx, characterId, accountId, { forUpdate: true });
    if (ifMatch !== undefined && !ifMatchHolds(ifMatch, etagOf(current.id, current.version))) {
      throw new AppError('PRECONDITION_FAILED', 'The character changed since this ETag was read', {
        extensions: { etag: etagOf(current.id, current.version) },
      });
    }
    const row = await trx
      .updateTable('mvp_core.characters')
      .set((eb) => ({
        appearance: JSON.stringify({ ...current.appearance, ...input.appearance }),
        district: input.district ?? current.district,
        version: eb('version', '+', 1),
        updated_at: new Date(),
      }))
      .where('id', '=', characterId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeLifecycle(trx, 'updated', row);
    return sheetFor(trx, row);
  });
}

export function deleteCharacter(db: SqlDatabase, accountId: string, characterId: string): Promise<void> {
  return transact(db, async (trx) => {
    await ownedCharacter(trx, characterId, accountId, { forUpdate: true });
    const row = await trx
      .updateTable('mvp_core.characters')
      .set((eb) => ({ deleted_at: new Date(), version: eb('version', '+', 1), updated_at: new Date() }))
      .where('id', '=', characterId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeLifecycle(trx, 'deleted', row);
  });
}

export function restoreCharacter(db: SqlDatabase, accountId: string, characterId: string, now = new Date()) {
  return mappingNameConflict(() =>
    transact(db, async (trx) => {
      // The account lock first, as create takes it: the slot count cannot change under us.
      await lockAccount(trx, accountId);
      const current = await ownedCharacter(trx, characterId, accountId, { forUpdate: true, includeDeleted: true });
      checkRestore({ deletedAt: current.deleted_at, liveCount: await countLive(trx, accountId), now });
      if (await nameTaken(trx, current.name_key)) throw nameTakenError();
      const row = await trx
        .updateTable('mvp_core.characters')
        .set((eb) => ({ deleted_at: null, version: eb('version', '+', 1), updated_at: new Date() }))
        .where('id', '=', characterId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await writeLifecycle(trx, 'restored', row);
      return sheetFor(trx, row);
    }),
  );
}
