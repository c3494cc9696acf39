/**
 * What world publishes, each in the transaction of the change it announces: `world.unrest.updates`
 * (every change of a district's level) and `world.scenarios` (a scenario started, completed or
 * cancelled). Both are keyed by district, so a district's events keep their order.
 */
import { type OutboxRow, outboxRow, type PlatformTables, writeEvent } from '@necp/platform';
import type { Kysely } from 'kysely';
import type { ScenarioRow } from './store/scenarios.ts';
import type { Trx } from './store/tables.ts';

const producer = 'world';

/** The change's transaction seen with the platform's tables (the outbox), so the event commits with it. */
const outboxOf = (trx: Trx) => trx as unknown as Kysely<PlatformTables>;

export interface UnrestUpdate {
  impactId: string;
  districtId: string;
  previousLevel: number;
  newLevel: number;
  delta: number;
  tier: string;
  sourceType: string;
  sourceId: string;
  minor: boolean;
  recommendations: string[];
}

/** The update's outbox row, for the statement that writes the change it announces (store/district-moves.ts). */
export function unrestUpdateRow(update: UnrestUpdate): OutboxRow<UnrestUpdate> {
  return outboxRow(producer, { topic: 'world.unrest.updates', key: update.districtId, payload: update });
}

export async function publishScenario(
  trx: Trx,
  scenario: ScenarioRow,
  status: 'started' | 'completed' | 'cancelled',
): Promise<void> {
  await writeEvent(outboxOf(trx), producer, {
    topic: 'world.scenarios',
    key: scenario.district_id,
    payload: { scenarioId: scenario.id, districtId: scenario.district_id, kind: scenario.kind, status },
  });
}
