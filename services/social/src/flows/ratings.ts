/** Ratings: recomputed from the history when an order of the character ends or it is reviewed. */
import { ratingRules } from '../domain/order-config.ts';
import { customerScore, executorScore, tierOf } from '../domain/ratings.ts';
import { type PartyHistory, partyHistories, type RatingRole, readRatings, saveEarned } from '../store/ratings.ts';
import type { Reader } from '../store/tables.ts';

export const historyRules = {
  bigContractReward: ratingRules.bigContractReward,
  lostBelowPercent: ratingRules.disputeLostBelowPercent,
};

/** Recomputes the parties' scores from their histories; one write for all of them. */
export async function refreshRatings(
  trx: Reader,
  parties: readonly { characterId: string; role: RatingRole }[],
  now: Date,
  orderEnded: boolean,
): Promise<void> {
  await saveScores(trx, await partyHistories(trx, parties, now, historyRules), now, orderEnded);
}

/** Records the scores the parties' histories earn (DOMAIN.md's formulas); one write for all of them. */
export async function saveScores(
  trx: Reader,
  histories: readonly PartyHistory[],
  now: Date,
  orderEnded: boolean,
): Promise<void> {
  const ratings = histories.map((party) => ({
    characterId: party.characterId,
    role: party.role,
    earned: party.role === 'executor' ? executorScore(party.history) : customerScore(party.history),
  }));
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
  const histories = await partyHistories(
    db,
    [
      { characterId: id, role: 'executor' },
      { characterId: id, role: 'customer' },
    ],
    now,
    historyRules,
  );
  const counts = (role: RatingRole) => {
    const history = histories.find((party) => party.role === role)?.history;
    return {
      completed: history?.completed ?? 0,
      accepted: history?.accepted ?? 0,
      finished: history?.finished ?? 0,
      reviews: history?.ratings.length ?? 0,
    };
  };
  return {
    characterId: id,
    executor: { ...scores.executor, ...counts('executor') },
    customer: { ...scores.customer, ...counts('customer') },
  };
}
