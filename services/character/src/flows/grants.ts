import type { TopicPayload } from '@necp/contracts';
import { retryTransaction } from '@necp/platform';
import { checkLive, derivedStats } from '../domain/character.ts';
import { checkSameGrant, limitsFor, planGrant } from '../domain/inventory.ts';
import { findTemplate, requestedTemplate } from '../domain/items.ts';
import { type CharacterRecord, equippedTemplateIds, inventoryUsage, itemOf } from '../domain/sheet.ts';
import { findCharacter } from '../store/characters.ts';
import { applyGrant, findGrant, listStacks, recordGrant } from '../store/inventory.ts';
import type { Queryable } from '../store/tables.ts';
import type { CharacterDeps } from './deps.ts';
import { changingLoadout } from './inventory.ts';

export interface GrantInput {
  characterId: string;
  templateId: string;
  quantity: number;
  source: string;
  sourceId: string;
}

export type GrantResponse = GrantInput & { items: ReturnType<typeof itemOf>[] };

export interface GrantResult {
  status: 200 | 201;
  body: GrantResponse;
}

/** The source of the grants crafted output makes; its sourceId is the crafting job's id. */
export const CraftingSource = 'crafting';

/** Places the items and records the grant under its key. Caller holds the character's row lock. */
async function grantLocked(
  trx: Queryable,
  character: CharacterRecord,
  input: GrantInput,
  enforceLimits: boolean,
): Promise<GrantResponse> {
  const template = requestedTemplate(input.templateId);
  const stacks = await listStacks(trx, character.id);
  const limits = limitsFor(derivedStats(character.attributes, equippedTemplateIds(stacks)).weightCapacityKg);
  const plan = planGrant(stacks, template, input.quantity, inventoryUsage(stacks), limits, enforceLimits);
  const touched = await applyGrant(trx, character.id, template, plan);
  const body: GrantResponse = { ...input, items: touched.map(itemOf) };
  await recordGrant(trx, { ...input, response: body });
  return body;
}

/**
 * An admin's or a service's grant, once per (source, sourceId): a repeat with the same content
 * answers 200 with the first result; the same key for other content is 409. The same key for two
 * characters at once meets at the grants' primary key: the loser's rerun reads the winner's grant.
 */
export function grantItems(deps: CharacterDeps, input: GrantInput): Promise<GrantResult> {
  return changingLoadout(deps, input.characterId, () =>
    retryTransaction(() =>
      deps.kysely.transaction().execute(async (trx): Promise<GrantResult> => {
        const character = await findCharacter(trx, input.characterId, { forUpdate: true });
        checkLive(character);
        const stored = await findGrant(trx, input.source, input.sourceId);
        if (stored) {
          checkSameGrant(stored, input);
          return { status: 200, body: stored.response as GrantResponse };
        }
        return { status: 201, body: await grantLocked(trx, character, input, true) };
      }),
    ),
  );
}

export type CraftedOutcome = 'granted' | 'already-granted' | 'unknown-character' | 'unknown-template';

/**
 * Output of a completed crafting job, inside the consumer's transaction. Limits are not enforced:
 * the materials are already spent, so the items arrive even into a full or heavy backpack.
 */
export async function grantCraftedOutput(
  trx: Queryable,
  job: TopicPayload<'economy.crafting.jobs'>,
): Promise<CraftedOutcome> {
  const character = await findCharacter(trx, job.characterId, { forUpdate: true });
  if (!character) return 'unknown-character';
  if (!findTemplate(job.outputTemplateId)) return 'unknown-template';
  if (await findGrant(trx, CraftingSource, job.jobId)) return 'already-granted';
  const grant = {
    characterId: job.characterId,
    templateId: job.outputTemplateId,
    quantity: job.quantity,
    source: CraftingSource,
    sourceId: job.jobId,
  };
  await grantLocked(trx, character, grant, false);
  return 'granted';
}
