/** What can be crafted where: materials, blueprints, and the workshops with their load. */
import { AppError } from '@necp/platform';
import { MATERIALS } from '../domain/catalogue.ts';
import { type Blueprint, blueprints, findBlueprint, isStressed, type WorkshopStatus } from '../domain/crafting.ts';
import type { Trx } from '../store/tables.ts';
import { recordDistrictTiers, updateWorkshop, type WorkshopLoad, workshopLoads } from '../store/workshops.ts';
import { startQueued } from './crafting-clock.ts';
import type { EconomyDeps } from './deps.ts';

export function materials() {
  return { items: MATERIALS.map((asset) => ({ asset })) };
}

function blueprintView(blueprint: Blueprint) {
  return {
    blueprintId: blueprint.id,
    inputs: blueprint.inputs as Record<string, number>,
    output: blueprint.output,
    durationSeconds: blueprint.durationSeconds,
    requiredSkill: blueprint.requires,
    workshops: [...blueprint.workshops],
  };
}

export function allBlueprints() {
  return { items: blueprints.map(blueprintView) };
}

export function blueprintOf(id: string) {
  const blueprint = findBlueprint(id);
  if (!blueprint) throw new AppError('NOT_FOUND', `No blueprint ${id}`);
  return blueprintView(blueprint);
}

function workshopView({ tier, ...load }: WorkshopLoad) {
  return { ...load, stressed: isStressed(tier) };
}

export async function workshops(deps: EconomyDeps) {
  return { items: (await workshopLoads(deps.db)).map(workshopView) };
}

/** Sets a workshop's status or capacity; back online or with more room, its waiting jobs start now rather than at the next tick. */
export async function changeWorkshop(
  deps: EconomyDeps,
  id: string,
  change: { status?: WorkshopStatus | undefined; capacity?: number | undefined },
) {
  const found = await deps.db.transaction().execute((trx) => updateWorkshop(trx, id, change));
  if (!found) throw new AppError('NOT_FOUND', `No workshop ${id}`);
  await deps.db.transaction().execute((trx) => startQueued(trx, id, new Date()));
  return workshopView((await workshopLoads(deps.db, id))[0] as WorkshopLoad);
}

/** Districts' unrest tiers from world-service, for market stress; of several updates of one district, the last wins. */
export function recordUnrest(trx: Trx, updates: { districtId: string; tier: string }[]): Promise<void> {
  return recordDistrictTiers(trx, new Map(updates.map((update) => [update.districtId, update.tier])));
}
