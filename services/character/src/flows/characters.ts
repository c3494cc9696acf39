import { randomUUID } from 'node:crypto';
import type { District, Skills } from '@necp/contracts';
import { type IdempotencyRequest, type IdempotentResult, loadoutChanged, runIdempotentCommand } from '@necp/platform';
import {
  checkCallerOwns,
  checkFreeSlot,
  checkIfMatch,
  checkLive,
  checkRestore,
  derivedStats,
  etagOf,
  nameKey,
  nameTakenError,
  startingStats,
  validateName,
} from '../domain/character.ts';
import { limitsFor, planGrant } from '../domain/inventory.ts';
import { knownTemplate } from '../domain/items.ts';
import { type CharacterClass, type Faction, type Origin, StartingKit } from '../domain/rules.ts';
import { type CharacterRecord, inventoryUsage, sheetOf } from '../domain/sheet.ts';
import { writeLifecycle } from '../events.ts';
import {
  countLive,
  findCharacter,
  insertCharacter,
  isUniqueViolation,
  lockAccount,
  nameTaken,
  updateCharacter,
} from '../store/characters.ts';
import { applyGrant, listStacks } from '../store/inventory.ts';
import type { Appearance, CharacterTables, Queryable } from '../store/tables.ts';
import type { CharacterDeps } from './deps.ts';

export interface CreateCharacterInput {
  name: string;
  origin: Origin;
  class: CharacterClass;
  faction?: Faction | undefined;
  appearance?: Appearance | undefined;
}

export interface PatchCharacterInput {
  appearance?: Appearance | undefined;
  district?: District | undefined;
}

/** Concurrent creates with one name meet at the unique index; the loser gets the domain's answer. */
async function mappingNameConflict<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTakenError();
    throw error;
  }
}

async function sheetFor(trx: Queryable, character: CharacterRecord) {
  return sheetOf(character, await listStacks(trx, character.id));
}

/** The origin's items, placed as grants are: into stacks, within the backpack's limits. */
async function placeStartingKit(trx: Queryable, character: CharacterRecord, origin: Origin): Promise<void> {
  const limits = limitsFor(derivedStats(character.attributes, []).weightCapacityKg);
  for (const entry of StartingKit[origin]) {
    const template = knownTemplate(entry.templateId);
    const stacks = await listStacks(trx, character.id);
    const plan = planGrant(stacks, template, entry.quantity, inventoryUsage(stacks), limits);
    await applyGrant(trx, character.id, template, plan);
  }
}

export async function createCharacter(
  deps: CharacterDeps,
  accountId: string,
  input: CreateCharacterInput,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  const name = validateName(input.name);
  const result = await mappingNameConflict(() =>
    runIdempotentCommand<CharacterTables>(deps.db, idempotency, async (trx) => {
      await lockAccount(trx, accountId);
      checkFreeSlot(await countLive(trx, accountId));
      const key = nameKey(name);
      if (await nameTaken(trx, key)) throw nameTakenError();
      const character = await insertCharacter(trx, {
        id: randomUUID(),
        accountId,
        name,
        nameKey: key,
        origin: input.origin,
        class: input.class,
        faction: input.faction ?? null,
        appearance: input.appearance ?? {},
        stats: startingStats(input.origin, input.class),
      });
      await placeStartingKit(trx, character, input.origin);
      await writeLifecycle(trx, 'created', character);
      return { status: 201, body: await sheetFor(trx, character) };
    }),
  );
  // From its first version on, a loadout can be kept by the services that read it.
  const created = result.body as { characterId?: unknown };
  if (typeof created.characterId === 'string') await loadoutChanged(deps.cache, created.characterId);
  return result;
}

/** Appearance keys given replace those keys; `If-Match`, when sent, must name the current version. */
export async function patchCharacter(
  deps: CharacterDeps,
  accountId: string,
  characterId: string,
  input: PatchCharacterInput,
  ifMatch: string | undefined,
) {
  const sheet = await deps.kysely.transaction().execute(async (trx) => {
    const current = await findCharacter(trx, characterId, { forUpdate: true });
    checkCallerOwns(current, accountId);
    checkIfMatch(ifMatch, etagOf(current.id, current.version));
    const changed = await updateCharacter(trx, characterId, {
      appearance: { ...current.appearance, ...input.appearance },
      district: input.district ?? current.district,
    });
    await writeLifecycle(trx, 'updated', changed);
    return sheetFor(trx, changed);
  });
  await loadoutChanged(deps.cache, characterId);
  return sheet;
}

/**
 * Live ops (admin or service): the skills named take the given levels, the others keep theirs. Skills
 * do not change in play yet; this is how an operator (or a test) sets them. Any live character.
 */
export async function setCharacterSkills(deps: CharacterDeps, characterId: string, skills: Partial<Skills>) {
  const sheet = await deps.kysely.transaction().execute(async (trx) => {
    const current = await findCharacter(trx, characterId, { forUpdate: true });
    checkLive(current);
    const changed = await updateCharacter(trx, characterId, { skills: { ...current.skills, ...skills } });
    await writeLifecycle(trx, 'updated', changed);
    return sheetFor(trx, changed);
  });
  await loadoutChanged(deps.cache, characterId);
  return sheet;
}

/** Soft delete; other services' cached answer "it is this account's" is forgotten once it commits. */
export async function deleteCharacter(deps: CharacterDeps, accountId: string, characterId: string): Promise<void> {
  await deps.kysely.transaction().execute(async (trx) => {
    checkCallerOwns(await findCharacter(trx, characterId, { forUpdate: true }), accountId);
    await writeLifecycle(trx, 'deleted', await updateCharacter(trx, characterId, { deleted: true }));
  });
  await deps.access.forget(characterId);
  await loadoutChanged(deps.cache, characterId);
}

export async function restoreCharacter(deps: CharacterDeps, accountId: string, characterId: string, now = new Date()) {
  const sheet = await mappingNameConflict(() =>
    deps.kysely.transaction().execute(async (trx) => {
      // The account lock first, as create takes it: the slot count cannot change under us.
      await lockAccount(trx, accountId);
      const current = await findCharacter(trx, characterId, { forUpdate: true });
      checkCallerOwns(current, accountId, { includeDeleted: true });
      checkRestore({ deletedAt: current.deletedAt, liveCount: await countLive(trx, accountId), now });
      if (await nameTaken(trx, current.nameKey)) throw nameTakenError();
      const restored = await updateCharacter(trx, characterId, { deleted: false });
      await writeLifecycle(trx, 'restored', restored);
      return sheetFor(trx, restored);
    }),
  );
  await deps.access.forget(characterId);
  await loadoutChanged(deps.cache, characterId);
  return sheet;
}
