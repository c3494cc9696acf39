import { repeatEvery, type ServiceJob, type StoredServiceContext } from '@necp/platform';
import type { EconomyDeps } from '../flows/deps.ts';
import { foldHouseJournal } from '../store/house-journal.ts';

/**
 * Folds the house's journalled settlement credits into its balance every ECONOMY_HOUSE_FOLD_MS: one
 * row lock on the house per fold instead of one per settlement. Replicas may fold at once (each row is
 * folded once), and the audit counts what is not folded yet, so no schedule is needed.
 */
export const houseJournalJob: ServiceJob<EconomyDeps, StoredServiceContext> = async (deps) => {
  const folds = repeatEvery(
    deps.settings.ECONOMY_HOUSE_FOLD_MS,
    () => foldHouseJournal(deps.db),
    (error) => deps.logger.error({ err: error }, 'house journal fold failed'),
  );
  return () => folds.stop();
};
