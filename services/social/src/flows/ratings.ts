/** Ratings: recomputed from the history when an order of the character ends or it is reviewed. */
import { ratingRules } from '../domain/order-config.ts';
import { customerScore, executorScore, tierOf } from '../domain/ratings.ts';
import { customerHistory, executorHistory, type RatingRole, readRatings, saveEarned } from '../store/ratings.ts';
import type { Reader } from '../store/tables.ts';

const executorHistoryAt = (db: Reader, characterId: string, now: Date) =>
  executorHistory(db, characterId, now, ratingRules.bigContractReward, ratingRules.disputeLostBelowPercent);

/** Recomputes the parties' scores from their histories; one write for all of them. */
export async function refreshRatings(
  trx: Reader,
  parties: readonly { characterId: string; role: RatingRole }[],
  now: Date,
  orderEnded: boolean,
): Promise<void> {
  const ratings = [];
  for (const { characterId, role } of parties) {
    const earned =
      role === 'executor'
        ? executorScore(await executorHistoryAt(trx, characterId, now))
        : customerScore(await customerHistory(trx, characterId));
    ratings.push({ characterId, role, earned });
  }
  await saveEarned(trx, ratings, { orderEnded, now });
}

export interface RoleRating {
  score: number;
  tier: ReturnType<typeof tierOf>;
  peak: number;
  lastOrderAt: string | null;
}

/** A character's stored scores in both roles; 30 (Bronze) in a role it never finished an order in. */
export async function ratingsOf(db: Reader, characterId: string) {
  const rows = await readRatings(db, characterId);
  const role = (name: RatingRole): RoleRating => {
    const row = rows.find((each) => each.role === name);
    const score = row?.score ?? ratingRules.startingScore;
    return {
      score,
      tier: tierOf(score),
      peak: row?.peak ?? ratingRules.startingScore,
      lastOrderAt: row?.last_order_at?.toISOString() ?? null,
    };
  };
  return { characterId, executor: role('executor'), customer: role('customer') };
}

/** `GET /ratings/{characterId}`: the scores with the history counts behind them. */
export async function ratingCard(db: Reader, characterId: string, now: Date) {
  const id = characterId.toLowerCase();
  const scores = await ratingsOf(db, id);
  const asExecutor = await executorHistoryAt(db, id, now);
  const asCustomer = await customerHistory(db, id);
  const counts = (history: { completed: number; accepted: number; finished: number; ratings: readonly number[] }) => ({
    completed: history.completed,
    accepted: history.accepted,
    finished: history.finished,
    reviews: history.ratings.length,
  });
  return {
    characterId: id,
    executor: { ...scores.executor, ...counts(asExecutor) },
    customer: { ...scores.customer, ...counts(asCustomer) },
  };
}
