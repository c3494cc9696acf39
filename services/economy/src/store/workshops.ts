import { slotStatuses, type WorkshopSpec, type WorkshopStatus } from '../domain/crafting.ts';
import type { EconomyDb, Trx } from './tables.ts';

export async function seedWorkshops(db: EconomyDb, specs: readonly WorkshopSpec[]): Promise<void> {
  await db
    .insertInto('mvp_core.crafting_workshops')
    .values(specs.map((spec) => ({ id: spec.id, district: spec.district, capacity: spec.capacity })))
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}

export interface WorkshopLoad {
  workshopId: string;
  district: string;
  capacity: number;
  status: WorkshopStatus;
  busySlots: number;
  queuedJobs: number;
  /** Its district's unrest tier; null when world-service has not told one. */
  tier: string | null;
}

/** Every workshop (or the one of `id`) with its busy slots, queue and district tier. */
export async function workshopLoads(db: EconomyDb | Trx, id?: string): Promise<WorkshopLoad[]> {
  let query = db
    .selectFrom('mvp_core.crafting_workshops as w')
    .leftJoin('mvp_core.district_stress as s', 's.district', 'w.district')
    .select(['w.id', 'w.district', 'w.capacity', 'w.status', 's.tier'])
    .select((eb) => [
      eb
        .selectFrom('mvp_core.crafting_jobs as j')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('j.workshop_id', '=', 'w.id')
        .where('j.status', 'in', [...slotStatuses])
        .as('busy'),
      eb
        .selectFrom('mvp_core.crafting_jobs as j')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('j.workshop_id', '=', 'w.id')
        .where('j.status', '=', 'queued')
        .as('queued'),
    ])
    .orderBy('w.id');
  if (id) query = query.where('w.id', '=', id);
  const rows = await query.execute();
  return rows.map((row) => ({
    workshopId: row.id,
    district: row.district,
    capacity: row.capacity,
    status: row.status,
    busySlots: Number(row.busy ?? 0),
    queuedJobs: Number(row.queued ?? 0),
    tier: row.tier,
  }));
}

/** Sets the workshop's status or capacity; false when there is no such workshop. */
export async function updateWorkshop(
  trx: Trx,
  id: string,
  change: { status?: WorkshopStatus | undefined; capacity?: number | undefined },
): Promise<boolean> {
  const updated = await trx
    .updateTable('mvp_core.crafting_workshops')
    .set({
      ...(change.status ? { status: change.status } : {}),
      ...(change.capacity !== undefined ? { capacity: change.capacity } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return updated !== undefined;
}

/**
 * The workshop, locked FOR NO KEY UPDATE: a job inserted in the same transaction holds the
 * key-share lock of its foreign key on the workshop, and FOR UPDATE would deadlock two creations
 * racing at one workshop (each waiting for the other's key-share lock).
 */
export async function lockWorkshop(trx: Trx, id: string) {
  return trx
    .selectFrom('mvp_core.crafting_workshops')
    .select(['status', 'capacity'])
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
}

/** The workshop's status and its district's unrest tier. */
export async function workshopWithTier(trx: Trx, id: string) {
  return trx
    .selectFrom('mvp_core.crafting_workshops as w')
    .leftJoin('mvp_core.district_stress as s', 's.district', 'w.district')
    .select(['w.id', 'w.status', 's.tier'])
    .where('w.id', '=', id)
    .executeTakeFirst();
}

/** Each district's latest unrest tier, one statement for all of them. */
export async function recordDistrictTiers(trx: Trx, tiers: Map<string, string>): Promise<void> {
  if (tiers.size === 0) return;
  await trx
    .insertInto('mvp_core.district_stress')
    .values([...tiers].map(([district, tier]) => ({ district, tier })))
    .onConflict((conflict) =>
      conflict.column('district').doUpdateSet((eb) => ({ tier: eb.ref('excluded.tier'), updated_at: new Date() })),
    )
    .execute();
}
