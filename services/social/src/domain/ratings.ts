/**
 * Ratings of shared/DOMAIN.md as pure functions: executor and customer scores from a character's
 * history, tiers, the commission a tier pays and the decay of an idle score.
 */
import { orderRules, ratingRules, type Tier } from './order-config.ts';

export interface ExecutorHistory {
  /** Orders with this executor that ended: completed, resolved, or cancelled after accept. */
  finished: number;
  /** Orders accepted with this character as executor. */
  accepted: number;
  completed: number;
  /** Deliveries, and those made by the deadline. */
  delivered: number;
  deliveredOnTime: number;
  /** Accepted or in-progress orders past their deadline, not delivered: they count as late deliveries. */
  overdue: number;
  /** Ratings received as executor (1–5 each). */
  ratings: readonly number[];
  disputesLost: number;
  cancelledAfterAccept: number;
  /** Completed orders with a reward of at least `bigContractReward`. */
  completedBig: number;
}

export interface CustomerHistory {
  /** This customer's orders that ended after an accept: completed, resolved, or cancelled after accept. */
  finished: number;
  /** This customer's orders that reached `accepted`, and those of them that ended completed. */
  accepted: number;
  completed: number;
  ratings: readonly number[];
  disputes: number;
  /** Accepted orders whose executor this customer had hired before. */
  rehired: number;
}

const share = (part: number, whole: number, otherwise: number) => (whole > 0 ? part / whole : otherwise);
const average = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
/** A 1–5 average as a share; a character with no rating yet is neither good nor bad (0.5). */
const quality = (ratings: readonly number[]) => (ratings.length > 0 ? (average(ratings) - 1) / 4 : 0.5);
const score = (weighted: number) => Math.round(Math.min(Math.max(weighted, 0), 1) * 10_000) / 100;

/** 0–100, two decimals: 0.30·CR + 0.20·TL + 0.25·QL + 0.15·RL + 0.10·CB; 30 before any finished order. */
export function executorScore(history: ExecutorHistory, rules = ratingRules): number {
  if (history.finished === 0) return rules.startingScore;
  const w = rules.executorWeights;
  const cr = share(history.completed, history.accepted, 0);
  const tl = share(history.deliveredOnTime, history.delivered + history.overdue, 1);
  const ql = quality(history.ratings);
  const rl = Math.max(0, 1 - rules.reliabilityPenalty * (history.disputesLost + history.cancelledAfterAccept));
  const cb = share(history.completedBig, history.completed, 0);
  return score(w.completion * cr + w.timeliness * tl + w.quality * ql + w.reliability * rl + w.bigContracts * cb);
}

/** 0–100, two decimals: 0.30·PR + 0.20·BQ + 0.20·DR + 0.15·RF + 0.15·RB; 30 before any finished order. */
export function customerScore(history: CustomerHistory, rules = ratingRules): number {
  if (history.finished === 0) return rules.startingScore;
  const w = rules.customerWeights;
  const pr = share(history.completed, history.accepted, 0);
  const bq = quality(history.ratings);
  const dr = 1 - share(history.disputes, history.accepted, 0);
  const rb = share(history.rehired, history.accepted, 0);
  return score(
    w.payment * pr + w.behaviour * bq + w.disputes * dr + w.fairness * rules.defaultFairness + w.rehire * rb,
  );
}

export function tierOf(points: number, rules = ratingRules): Tier {
  return rules.tiers.find((tier) => points >= tier.from)?.tier ?? 'Bronze';
}

/** The commission of an order: 5% of the reward, rounded down, minus the customer tier's points. */
export function commissionFor(reward: number, customerTier: Tier, rules = orderRules): number {
  const percent = rules.commissionPercent - rules.commissionDiscountByTier[customerTier];
  return Math.floor((reward * percent) / 100);
}

const DayMs = 86_400_000;

/**
 * A score after idle time: after `decayIdleDays` without an order, one point a day off the score
 * earned, never below 20% of the peak (nor the score itself when that is lower still).
 */
export function decayedScore(
  earned: number,
  peak: number,
  lastOrderAt: Date | null,
  now: Date,
  rules = ratingRules,
): number {
  if (lastOrderAt === null) return earned;
  const idleDays = Math.floor((now.getTime() - lastOrderAt.getTime()) / DayMs);
  const decayDays = idleDays - rules.decayIdleDays;
  if (decayDays <= 0) return earned;
  const floor = Math.min(earned, Math.round(peak * rules.decayFloorShareOfPeak * 100) / 100);
  return Math.max(floor, Math.round((earned - decayDays * rules.decayPointsPerDay) * 100) / 100);
}
