import type { OutboxRow } from '@necp/platform';
import { sql } from 'kysely';
import type { Queryable, SimulationMode } from './tables.ts';

export interface SimulationRecord {
  id: string;
  combatId: string;
  characterId: string;
  accountId: string;
  weaponId: string;
  weaponClass: string;
  request: unknown;
  loadout: unknown;
  seed: number;
  rulesetVersion: string;
  rulesetFingerprint: string;
  result: unknown;
  mode: SimulationMode;
  hit: boolean;
  damageDealt: number;
  ricochetCount: number;
  curvedShotUsed: boolean;
  district: string | null;
  linkedOrderId: string | null;
}

const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

export interface SimulationWrite {
  simulation: SimulationRecord;
  /** At least the simulation's own event. */
  events: readonly [OutboxRow<unknown>, ...OutboxRow<unknown>[]];
}

/**
 * Simulations and their outbox events in one statement (a data-modifying CTE beside the outbox
 * writes): atomic on its own, one round trip for all of them instead of a transaction's four each;
 * inside a transaction (an Idempotency-Key's) it commits with it. Events are written in order.
 */
export async function recordSimulations(db: Queryable, writes: readonly [SimulationWrite, ...SimulationWrite[]]) {
  const events = writes.flatMap((write) => write.events);
  const outbox = events.map((row, index) =>
    sql`mvp_meta.write_outbox(${row.id}, ${row.type}, ${row.aggregateid}, ${JSON.stringify(row.payload)}::jsonb, ${row.producer}, ${row.tracingspancontext})`.as(
      `event_${index}`,
    ),
  );
  await db
    .with('simulation', (qb) =>
      qb.insertInto('mvp_core.gameplay_simulations').values(writes.map(({ simulation }) => simulationRow(simulation))),
    )
    .selectNoFrom(outbox)
    .execute();
}

export function recordSimulation(db: Queryable, simulation: SimulationRecord, events: SimulationWrite['events']) {
  return recordSimulations(db, [{ simulation, events }]);
}

function simulationRow(simulation: SimulationRecord) {
  return {
    id: simulation.id,
    combat_id: simulation.combatId,
    character_id: simulation.characterId,
    account_id: simulation.accountId,
    weapon_id: simulation.weaponId,
    weapon_class: simulation.weaponClass,
    request: JSON.stringify(simulation.request),
    loadout: JSON.stringify(simulation.loadout),
    seed: simulation.seed,
    ruleset_version: simulation.rulesetVersion,
    ruleset_fingerprint: simulation.rulesetFingerprint,
    result: JSON.stringify(simulation.result),
    mode: simulation.mode,
    hit: simulation.hit,
    damage_dealt: simulation.damageDealt,
    ricochet_count: simulation.ricochetCount,
    curved_shot_used: simulation.curvedShotUsed,
    district: simulation.district,
    linked_order_id: simulation.linkedOrderId,
  };
}

export async function findSimulation(db: Queryable, id: string): Promise<SimulationRecord | undefined> {
  const row = await db.selectFrom('mvp_core.gameplay_simulations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    combatId: row.combat_id,
    characterId: row.character_id,
    accountId: row.account_id,
    weaponId: row.weapon_id,
    weaponClass: row.weapon_class,
    request: json(row.request),
    loadout: json(row.loadout),
    seed: Number(row.seed),
    rulesetVersion: row.ruleset_version,
    rulesetFingerprint: row.ruleset_fingerprint,
    result: json(row.result),
    mode: row.mode,
    hit: row.hit,
    damageDealt: row.damage_dealt,
    ricochetCount: row.ricochet_count,
    curvedShotUsed: row.curved_shot_used,
    district: row.district,
    linkedOrderId: row.linked_order_id,
  };
}

export interface ModeTotals {
  mode: SimulationMode;
  shots: number;
  hits: number;
  damageDealt: number;
}

/** A combat's shots, hits and damage by mode, and the accounts whose characters fired them. */
export async function combatTotals(db: Queryable, combatId: string) {
  const modes = await db
    .selectFrom('mvp_core.gameplay_simulations')
    .select((eb) => [
      'mode',
      eb.fn.countAll<string>().as('shots'),
      sql<string>`count(*) FILTER (WHERE hit)`.as('hits'),
      sql<string>`coalesce(sum(damage_dealt), 0)`.as('damage'),
      sql<string>`count(*) FILTER (WHERE ricochet_count > 0)`.as('ricochets'),
    ])
    .where('combat_id', '=', combatId)
    .groupBy('mode')
    .orderBy('mode')
    .execute();
  const accounts = await db
    .selectFrom('mvp_core.gameplay_simulations')
    .select('account_id')
    .distinct()
    .where('combat_id', '=', combatId)
    .execute();
  return {
    byMode: modes.map((row) => ({
      mode: row.mode,
      shots: Number(row.shots),
      hits: Number(row.hits),
      damageDealt: Number(row.damage),
      ricochets: Number(row.ricochets),
    })),
    accountIds: accounts.map((row) => row.account_id),
  };
}

/**
 * Deletes up to `limit` simulations created before `before`, oldest first; how many went. The rows
 * go by creation time (its index), not by combat: a combat still running keeps its recent shots.
 */
export async function deleteSimulationsBefore(db: Queryable, before: Date, limit: number): Promise<number> {
  const oldest = db
    .selectFrom('mvp_core.gameplay_simulations')
    .select('id')
    .where('created_at', '<', before)
    .orderBy('created_at')
    .limit(limit);
  const deleted = await db.deleteFrom('mvp_core.gameplay_simulations').where('id', 'in', oldest).executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
