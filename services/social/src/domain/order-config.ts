/** Every number of shared/DOMAIN.md (Player orders, ratings and arbitration) that social's rules use. */
export const orderRules = {
  /** Open orders (published up to disputed) per customer character. */
  maxOpenOrdersPerCustomer: 10,
  /** Open disputes per account, over all its characters. */
  maxOpenDisputesPerAccount: 3,
  /** Commission: this percentage of the reward (rounded down), minus the customer tier's discount. */
  commissionPercent: 5,
  commissionDiscountByTier: { Bronze: 0, Silver: 1, Gold: 2, Platinum: 3 },
  /** Invitees an order may name at most. */
  maxInvitees: 20,
} as const;

export const ratingRules = {
  executorWeights: { completion: 0.3, timeliness: 0.2, quality: 0.25, reliability: 0.15, bigContracts: 0.1 },
  customerWeights: { payment: 0.3, behaviour: 0.2, disputes: 0.2, fairness: 0.15, rehire: 0.15 },
  /** RL loses this much per dispute lost or cancellation after accept. */
  reliabilityPenalty: 0.2,
  /** CB counts completed orders with at least this reward. */
  bigContractReward: 1_000,
  /** RF until the economy publishes a fairness index. */
  defaultFairness: 0.5,
  /** A dispute resolved with an executor share below this percentage is lost by the executor. */
  disputeLostBelowPercent: 50,
  /** The score of a character with no finished order in that role. */
  startingScore: 30,
  /** Decay: after this many idle days, minus this many points a day, never below this share of the peak. */
  decayIdleDays: 14,
  decayPointsPerDay: 1,
  decayFloorShareOfPeak: 0.2,
  /** Lower bounds of the tiers (Bronze 0–39, Silver 40–64, Gold 65–84, Platinum 85–100). */
  tiers: [
    { tier: 'Platinum', from: 85 },
    { tier: 'Gold', from: 65 },
    { tier: 'Silver', from: 40 },
    { tier: 'Bronze', from: 0 },
  ],
} as const;

export type Tier = (typeof ratingRules.tiers)[number]['tier'];
