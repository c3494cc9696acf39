/**
 * Double-entry rules, TigerBeetle style: a movement is a list of legs applied to a snapshot of the
 * locked accounts; either every leg fits or none is written. No I/O here: the store locks, calls
 * `applyLegs` and writes the result.
 */
import type { Asset } from './catalogue.ts';

export type AccountKind = 'character' | 'house' | 'escrow' | 'crafting_hold';

/** The house mints and burns, so it alone may go negative (it carries the minted value). */
export const HOUSE_OWNER = 'house';

export function mayOverdraw(kind: AccountKind): boolean {
  return kind === 'house';
}

export interface AccountRef {
  kind: AccountKind;
  ownerId: string;
  asset: Asset;
}

export interface AccountState {
  id: number;
  kind: AccountKind;
  ownerId: string;
  asset: string;
  /** Posted value. */
  balance: number;
  /** Outstanding pending debits: part of `balance` that is spoken for. */
  held: number;
}

/** A pending transfer as recorded: what a post or void resolves. */
export interface PendingTransfer {
  id: string;
  debitAccountId: number;
  creditAccountId: number;
  asset: string;
  amount: number;
}

export type Leg =
  | { type: 'posted'; debitAccountId: number; creditAccountId: number; amount: number }
  | { type: 'pending'; debitAccountId: number; creditAccountId: number; amount: number }
  /** Posts `amount` (at most the pending amount) and releases the rest of the hold. */
  | { type: 'post'; pending: PendingTransfer; amount: number }
  | { type: 'void'; pending: PendingTransfer };

export class LedgerRefusal extends Error {
  override name = 'LedgerRefusal';
  readonly accountId: number;
  readonly asset: string;
  readonly required: number;
  readonly available: number;
  constructor(account: AccountState, required: number) {
    super(`account ${account.id} has ${available(account)} ${account.asset} available, ${required} required`);
    this.accountId = account.id;
    this.asset = account.asset;
    this.required = required;
    this.available = available(account);
  }
}

export function available(account: Pick<AccountState, 'balance' | 'held'>): number {
  return account.balance - account.held;
}

function assertAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new RangeError(`amount must be a positive integer: ${amount}`);
}

function account(states: Map<number, AccountState>, id: number): AccountState {
  const state = states.get(id);
  if (!state) throw new Error(`account ${id} was not locked for this movement`);
  return state;
}

/**
 * Applies `legs` in order to copies of `states` and returns the new states; throws LedgerRefusal
 * when a debit would take a non-house account below what it has available.
 */
export function applyLegs(states: Map<number, AccountState>, legs: Leg[]): Map<number, AccountState> {
  const next = new Map([...states].map(([id, state]) => [id, { ...state }]));
  for (const leg of legs) {
    if (leg.type === 'posted' || leg.type === 'pending') {
      assertAmount(leg.amount);
      if (leg.debitAccountId === leg.creditAccountId) throw new RangeError('a transfer needs two accounts');
      const debit = account(next, leg.debitAccountId);
      const credit = account(next, leg.creditAccountId);
      if (debit.asset !== credit.asset) throw new RangeError('both sides of a transfer hold the same asset');
      if (!mayOverdraw(debit.kind) && available(debit) < leg.amount) throw new LedgerRefusal(debit, leg.amount);
      if (leg.type === 'posted') {
        debit.balance -= leg.amount;
        credit.balance += leg.amount;
      } else {
        debit.held += leg.amount;
      }
      continue;
    }
    const debit = account(next, leg.pending.debitAccountId);
    if (debit.held < leg.pending.amount)
      throw new Error(`account ${debit.id} holds less than pending ${leg.pending.id}`);
    debit.held -= leg.pending.amount;
    if (leg.type === 'post') {
      assertAmount(leg.amount);
      if (leg.amount > leg.pending.amount) throw new RangeError('a post cannot exceed its pending amount');
      const credit = account(next, leg.pending.creditAccountId);
      debit.balance -= leg.amount;
      credit.balance += leg.amount;
    }
  }
  return next;
}
