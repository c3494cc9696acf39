import { sql } from 'kysely';
import type { Trx } from './tables.ts';

/**
 * The district's dwell clocks are those of `tiers` from now on: the clocks of tiers it left stop,
 * those it reached start at `at`, the others keep running.
 */
export async function keepDwellTiers(trx: Trx, districtId: string, tiers: string[], at: Date): Promise<void> {
  let stop = trx.deleteFrom('mvp_core.world_escalation_dwell').where('district_id', '=', districtId);
  if (tiers.length > 0) stop = stop.where('tier', 'not in', tiers);
  await stop.execute();
  if (tiers.length === 0) return;
  await trx
    .insertInto('mvp_core.world_escalation_dwell')
    .values(tiers.map((tier) => ({ district_id: districtId, tier, since: at })))
    .onConflict((conflict) => conflict.columns(['district_id', 'tier']).doNothing())
    .execute();
}

/** Restarts every dwell clock of the district at `at` (a scenario ended: the next one needs a full dwell). */
export async function restartDwell(trx: Trx, districtId: string, at: Date): Promise<void> {
  await trx
    .updateTable('mvp_core.world_escalation_dwell')
    .set({ since: at })
    .where('district_id', '=', districtId)
    .execute();
}

/** Dwell clocks started at or before `dueSince` in districts with no active scenario. */
export async function dueDwells(trx: Trx, dueSince: Date) {
  return trx
    .selectFrom('mvp_core.world_escalation_dwell as w')
    .select(['w.district_id', 'w.tier', 'w.since'])
    .where('w.since', '<=', dueSince)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('mvp_core.world_scenarios as s')
            .select(sql`1`.as('one'))
            .whereRef('s.district_id', '=', 'w.district_id')
            .where('s.status', '=', 'active'),
        ),
      ),
    )
    .orderBy('w.district_id')
    .execute();
}
