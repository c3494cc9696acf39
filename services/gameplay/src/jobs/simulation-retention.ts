/**
 * The retention sweep of stored simulations: every GAMEPLAY_RETENTION_TICK_MS, once across replicas
 * (an exclusive schedule), deletes the simulations older than GAMEPLAY_SIMULATION_RETENTION_DAYS, at
 * most GAMEPLAY_RETENTION_BATCH per tick (a backlog drains over the next ticks). What is due is in
 * the table (created_at), so a restart or another replica carries on where the last tick stopped.
 * Retention is operational, in real days: TIME_SCALE does not shorten it.
 */
import {
  exclusiveSchedule,
  runSchedule,
  type ServiceJob,
  type SqlDatabase,
  type StoredServiceContext,
} from '@necp/platform';
import type { GameplayDeps } from '../flows/deps.ts';
import { deleteSimulationsBefore } from '../store/simulations.ts';
import type { GameplayTables } from '../store/tables.ts';

const DayMs = 86_400_000;
const Name = 'gameplay.simulation-retention';

export function simulationRetention(database: SqlDatabase, retention: { days: number; batch: number }) {
  return exclusiveSchedule<GameplayTables>(database, Name, (trx, now) =>
    deleteSimulationsBefore(trx, new Date(now.getTime() - retention.days * DayMs), retention.batch),
  );
}

export const simulationRetentionJob: ServiceJob<GameplayDeps, StoredServiceContext> = async (deps, context) => {
  const { GAMEPLAY_SIMULATION_RETENTION_DAYS, GAMEPLAY_RETENTION_BATCH, GAMEPLAY_RETENTION_TICK_MS } = deps.settings;
  const schedule = simulationRetention(deps.database, {
    days: GAMEPLAY_SIMULATION_RETENTION_DAYS,
    batch: GAMEPLAY_RETENTION_BATCH,
  });
  return runSchedule(schedule, GAMEPLAY_RETENTION_TICK_MS, context.logger, Name);
};
