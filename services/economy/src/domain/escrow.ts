/**
 * How an order's escrow ends (shared/DOMAIN.md, Player orders): the payer locked reward +
 * commission; each outcome says what the executor, the payer and the house get.
 */
export const escrowRules = {
  /** Cancel after accept: this percentage of the reward goes to the executor. */
  cancelAfterAcceptExecutorPercent: 10,
};

export type Settlement =
  | { kind: 'release' }
  /** Without an executor: everything back; with one (cancel after accept): the executor's cut first. */
  | { kind: 'refund'; executorPaid: boolean }
  | { kind: 'split'; executorSharePercent: number };

export interface Outcome {
  status: 'released' | 'refunded' | 'split';
  executorAmount: number;
  refundAmount: number;
  commissionTaken: number;
}

function percentOf(amount: number, percent: number): number {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError(`bad percentage ${percent}`);
  return Math.floor((amount * percent) / 100);
}

export function settle(
  escrow: { amount: number; commission: number },
  settlement: Settlement,
  rules = escrowRules,
): Outcome {
  const { amount, commission } = escrow;
  switch (settlement.kind) {
    case 'release':
      return { status: 'released', executorAmount: amount, refundAmount: 0, commissionTaken: commission };
    case 'refund': {
      const executorAmount = settlement.executorPaid ? percentOf(amount, rules.cancelAfterAcceptExecutorPercent) : 0;
      return {
        status: 'refunded',
        executorAmount,
        refundAmount: amount + commission - executorAmount,
        commissionTaken: 0,
      };
    }
    case 'split': {
      const executorAmount = percentOf(amount, settlement.executorSharePercent);
      return { status: 'split', executorAmount, refundAmount: amount - executorAmount, commissionTaken: commission };
    }
  }
}

export interface OrderTransition {
  fromStatus: string | null;
  toStatus: string;
  executorCharacterId: string | null;
  executorSharePercent?: number | undefined;
}

/** Which settlement an order's transition calls for, if any (publish locks synchronously instead). */
export function settlementFor(
  transition: OrderTransition,
): { settlement: Settlement; executor: string | null } | undefined {
  const executor = transition.executorCharacterId;
  switch (transition.toStatus) {
    case 'completed':
      return executor ? { settlement: { kind: 'release' }, executor } : undefined;
    case 'cancelled':
      return transition.fromStatus === 'accepted' && executor
        ? { settlement: { kind: 'refund', executorPaid: true }, executor }
        : { settlement: { kind: 'refund', executorPaid: false }, executor: null };
    case 'resolved':
      return executor && transition.executorSharePercent !== undefined
        ? { settlement: { kind: 'split', executorSharePercent: transition.executorSharePercent }, executor }
        : undefined;
    default:
      return undefined;
  }
}
