import { AppError, type AuthContext, hasAnyRole } from '@necp/platform';
import { round2 } from '../domain/arithmetic.ts';
import { combatTotals } from '../store/simulations.ts';
import { ActsForAnyCharacter } from './character-loadout.ts';
import type { GameplayDeps } from './deps.ts';

/** Who reads any combat's telemetry: services, admins, and moderators looking into a fight. */
const ReadsAnyCombat = [...ActsForAnyCharacter, 'moderator'];

/**
 * A combat's figures from its stored simulations: shots, hits, how often Curved Shot and ricochets
 * were used, average damage dealt per shot, and the same by mode (direct, ricochet, curved_shot).
 * Readable by the accounts whose characters fired in it (and staff); another account gets 403.
 */
export async function combatTelemetry(deps: GameplayDeps, caller: AuthContext, combatId: string) {
  const totals = await combatTotals(deps.db, combatId);
  if (totals.byMode.length === 0) throw new AppError('NOT_FOUND', 'No simulation was fired in this combat');
  if (!totals.accountIds.includes(caller.accountId) && !hasAnyRole(caller, ReadsAnyCombat)) {
    throw new AppError('FORBIDDEN', 'Only the combat’s participants read its telemetry');
  }
  const sum = (pick: (mode: (typeof totals.byMode)[number]) => number) =>
    totals.byMode.reduce((total, mode) => total + pick(mode), 0);
  const totalShots = sum((mode) => mode.shots);
  return {
    combatId,
    totalShots,
    hits: sum((mode) => mode.hits),
    curvedShotUsage: sum((mode) => (mode.mode === 'curved_shot' ? mode.shots : 0)),
    ricochetUsage: sum((mode) => mode.ricochets),
    averageDamage: round2(sum((mode) => mode.damageDealt) / totalShots),
    byMode: totals.byMode.map((mode) => ({
      mode: mode.mode,
      shots: mode.shots,
      hits: mode.hits,
      averageDamage: round2(mode.damageDealt / mode.shots),
    })),
  };
}
