/**
 * How an order's escrow ends (shared/DOMAIN.md, Player orders): the payer locked reward +
 * commission; each outcome says what the executor, the payer and the house get, and which legs
 * move it.
 */
import { CURRENCY } from './catalogue.ts';
import { characterAccount, escrowAccount, houseAccount, type MovementLeg, type PendingLeg } from './movements.ts';

export const escrowRules = {
  /** Cancel after accept: this percentage of the reward goes to the executor. */
  cancelAfterAcceptExecutorPercent: 10,
};

export type EscrowStatus = 'locked' | 'released' | 'refunded' | 'split';

export interface EscrowView {
  orderId: string;
  payerCharacterId: string;
  status: EscrowStatus;
  amount: number;
  commission: number;
  executorCharacterId: string | null;
  executorAmount: number;
  refundAmount: number;
  commissionTaken: number;
  createdAt: string;
  updatedAt: string;
  history: {
    status: EscrowStatus;
    executorAmount: number;
    refundAmount: number;
    commissionTaken: number;
    source: string;
    at: string;
  }[];
}

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

/** An escrow's end as recorded, to tell a repeat of it from another outcome. */
export interface RecordedOutcome extends Omit<Outcome, 'status'> {
  status: EscrowStatus;
  executorCharacterId: string | null;
}

/** Whether `outcome` for `executorCharacterId` is the one the escrow already had (the executor counts when paid). */
export function repeatsOutcome(
  recorded: RecordedOutcome,
  outcome: Outcome,
  executorCharacterId: string | null,
): boolean {
  return (
    recorded.status === outcome.status &&
    recorded.executorAmount === outcome.executorAmount &&
    recorded.refundAmount === outcome.refundAmount &&
    recorded.commissionTaken === outcome.commissionTaken &&
    (outcome.executorAmount === 0 || recorded.executorCharacterId?.toLowerCase() === executorCharacterId?.toLowerCase())
  );
}

/** The lock: reward and commission held on the payer's wallet for the order's escrow. */
export function escrowHoldLeg(
  escrow: { orderId: string; payerCharacterId: string; amount: number; commission: number },
  actorId: string | null,
): PendingLeg {
  return {
    type: 'pending',
    clientRef: `escrow:${escrow.orderId}:hold`,
    debit: characterAccount(escrow.payerCharacterId, CURRENCY),
    credit: escrowAccount(escrow.orderId),
    amount: escrow.amount + escrow.commission,
    reason: 'escrow_lock',
    actorId: actorId ?? undefined,
  };
}

/**
 * The legs of a settlement: the hold voided when nothing goes to the escrow, else posted for the
 * executor's part and the commission (posting less than the hold releases the rest to the payer:
 * the refund needs no leg of its own), which then go on to the executor and the house.
 */
export function settlementLegs(
  orderId: string,
  holdTransferId: string,
  outcome: Outcome,
  executorCharacterId: string | null,
  actorId: string | null,
): MovementLeg[] {
  const toEscrow = outcome.executorAmount + outcome.commissionTaken;
  const legs: MovementLeg[] = [];
  if (toEscrow === 0) {
    legs.push({
      type: 'void',
      clientRef: `escrow:${orderId}:void`,
      pendingId: holdTransferId,
      reason: 'escrow_refund',
    });
  } else {
    legs.push({
      type: 'post',
      clientRef: `escrow:${orderId}:post`,
      pendingId: holdTransferId,
      amount: toEscrow,
      reason: 'escrow_settle',
    });
    if (outcome.executorAmount > 0 && executorCharacterId) {
      legs.push({
        type: 'posted',
        clientRef: `escrow:${orderId}:executor`,
        debit: escrowAccount(orderId),
        credit: characterAccount(executorCharacterId, CURRENCY),
        amount: outcome.executorAmount,
        reason: 'escrow_payout',
      });
    }
    if (outcome.commissionTaken > 0) {
      legs.push({
        type: 'posted',
        clientRef: `escrow:${orderId}:commission`,
        debit: escrowAccount(orderId),
        credit: houseAccount(CURRENCY),
        amount: outcome.commissionTaken,
        reason: 'commission',
      });
    }
  }
  return legs.map((leg) => ({ ...leg, actorId: actorId ?? undefined }));
}
