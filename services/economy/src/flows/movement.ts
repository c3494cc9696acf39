/**
 * A movement of the general path (escrow, crafting holds, the starting kit): find or open the
 * accounts, lock them in id order, apply the legs with the ledger's rules, write the transfers,
 * the balances and one event a transfer, all in the caller's transaction.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '@necp/platform';
import { type AccountRef, type AccountState, applyLegs, type Leg, type PendingTransfer } from '../domain/ledger.ts';
import type { MovementLeg, TransferRecord } from '../domain/movements.ts';
import { type LedgerSide, ledgerTransferOutboxRow } from '../events.ts';
import { lockAccounts, openAccounts, writeBalances } from '../store/ledger-accounts.ts';
import {
  insertTransfers,
  resolvedPendingIds,
  transfersByClientRef,
  transfersToResolve,
} from '../store/ledger-transfers.ts';
import type { Trx } from '../store/tables.ts';

export interface MovementResult {
  transfers: TransferRecord[];
  /** True when every leg had already been applied by an earlier movement. */
  replayed: boolean;
}

/** A hold was already posted or voided by another movement. */
export class PendingResolvedError extends Error {
  override name = 'PendingResolvedError';
}

/** 422 INSUFFICIENT_FUNDS: the debit account cannot cover the amount; nothing was written. */
export function insufficientFunds(refusal: { asset: string; available: number; required: number }): AppError {
  return new AppError(
    'INSUFFICIENT_FUNDS',
    `Not enough ${refusal.asset}: ${refusal.available} available, ${refusal.required} required`,
    { extensions: { asset: refusal.asset, required: refusal.required, available: refusal.available } },
  );
}

const refKey = (ref: { kind: string; ownerId: string; asset: string }) =>
  `${ref.kind}\u0000${ref.ownerId}\u0000${ref.asset}`;

async function pendingsOf(trx: Trx, legs: MovementLeg[]): Promise<Map<string, PendingTransfer>> {
  const ids = legs.flatMap((leg) => (leg.type === 'post' || leg.type === 'void' ? [leg.pendingId] : []));
  const pendings = new Map<string, PendingTransfer>();
  if (ids.length === 0) return pendings;
  for (const { kind, ...transfer } of await transfersToResolve(trx, ids)) {
    if (kind !== 'pending') throw new Error(`transfer ${transfer.id} is not pending`);
    pendings.set(transfer.id, transfer);
  }
  return pendings;
}

/** Locks the accounts the legs name, opening those used for the first time. */
async function lockedAccounts(
  trx: Trx,
  legs: MovementLeg[],
  pendings: Map<string, PendingTransfer>,
): Promise<AccountState[]> {
  const refs = new Map<string, AccountRef>();
  for (const leg of legs) {
    if (leg.type === 'posted' || leg.type === 'pending') {
      refs.set(refKey(leg.debit), leg.debit);
      refs.set(refKey(leg.credit), leg.credit);
    }
  }
  const pendingAccountIds = [...pendings.values()].flatMap((p) => [p.debitAccountId, p.creditAccountId]);
  const locked = await lockAccounts(trx, [...refs.values()], pendingAccountIds);
  const found = new Set(locked.map(refKey));
  const missing = [...refs.values()]
    .filter((ref) => !found.has(refKey(ref)))
    .sort((a, b) => (refKey(a) < refKey(b) ? -1 : 1));
  if (missing.length === 0) return locked;
  // Accounts open on first use.
  await openAccounts(trx, missing);
  return [...locked, ...(await lockAccounts(trx, missing, []))];
}

function transferRow(leg: MovementLeg, domainLeg: Leg, states: Map<number, AccountState>) {
  const base = {
    id: randomUUID(),
    client_ref: leg.clientRef,
    kind: leg.type,
    reason: leg.reason,
    memo: leg.memo ?? null,
    actor_id: leg.actorId ?? null,
  };
  if (domainLeg.type === 'posted' || domainLeg.type === 'pending') {
    return {
      ...base,
      debit_account_id: domainLeg.debitAccountId,
      credit_account_id: domainLeg.creditAccountId,
      asset: (states.get(domainLeg.debitAccountId) as AccountState).asset,
      amount: domainLeg.amount,
      pending_id: null,
      released: 0,
    };
  }
  return {
    ...base,
    debit_account_id: domainLeg.pending.debitAccountId,
    credit_account_id: domainLeg.pending.creditAccountId,
    asset: domainLeg.pending.asset,
    amount: domainLeg.type === 'post' ? domainLeg.amount : 0,
    pending_id: domainLeg.pending.id,
    released: domainLeg.pending.amount,
  };
}

/**
 * Applies `legs` once: a movement whose legs were all applied before answers those transfers;
 * one whose legs would overdraw throws `LedgerRefusal` and writes nothing.
 */
export async function move(trx: Trx, legs: MovementLeg[]): Promise<MovementResult> {
  const pendings = await pendingsOf(trx, legs);
  const locked = await lockedAccounts(trx, legs, pendings);
  const states = new Map(locked.map((state) => [state.id, state]));
  const idOf = new Map(locked.map((state) => [refKey(state), state.id]));
  const accountId = (ref: AccountRef): number => {
    const id = idOf.get(refKey(ref));
    if (id === undefined) throw new Error(`account ${refKey(ref)} could not be opened`);
    return id;
  };

  // Checked under the accounts' locks: a racing movement with the same refs has committed or not started.
  const existing = await transfersByClientRef(
    trx,
    legs.map((leg) => leg.clientRef),
  );
  if (existing.length === legs.length) return { transfers: existing, replayed: true };
  if (existing.length > 0)
    throw new Error(`movement partly applied: ${existing.map((transfer) => transfer.clientRef).join(', ')}`);

  if (pendings.size > 0) {
    // Checked under the lock of the hold's debit account, so two resolvers cannot both pass.
    const resolved = await resolvedPendingIds(trx, [...pendings.keys()]);
    if (resolved.length > 0) throw new PendingResolvedError(`pending transfer ${resolved[0]} is already resolved`);
  }

  const domainLegs: Leg[] = legs.map((leg) => {
    if (leg.type === 'posted' || leg.type === 'pending') {
      const sides = {
        debitAccountId: accountId(leg.debit),
        creditAccountId: accountId(leg.credit),
        amount: leg.amount,
      };
      return leg.type === 'posted' ? { type: 'posted', ...sides } : { type: 'pending', ...sides };
    }
    const pending = pendings.get(leg.pendingId);
    if (!pending) throw new Error(`pending transfer ${leg.pendingId} not found`);
    return leg.type === 'post' ? { type: 'post', pending, amount: leg.amount } : { type: 'void', pending };
  });
  const next = applyLegs(states, domainLegs);

  const side = (id: number, transferId: string): LedgerSide => {
    const account = states.get(id);
    if (!account) throw new Error(`account ${id} was not locked for transfer ${transferId}`);
    return { kind: account.kind, ownerId: account.ownerId };
  };
  const rows = legs.map((leg, index) => transferRow(leg, domainLegs[index] as Leg, states));
  // Every transfer leaves the ledger with its event, in the statement that writes it.
  const events = rows.map((row) =>
    ledgerTransferOutboxRow(
      {
        id: row.id,
        clientRef: row.client_ref,
        kind: row.kind,
        reason: row.reason,
        asset: row.asset,
        amount: row.amount,
        pendingId: row.pending_id,
      },
      side(row.debit_account_id, row.id),
      side(row.credit_account_id, row.id),
    ),
  );
  const inserted = await insertTransfers(trx, rows, events);
  await writeBalances(
    trx,
    [...next.values()].filter((state) => {
      const before = states.get(state.id) as AccountState;
      return before.balance !== state.balance || before.held !== state.held;
    }),
  );
  const order = new Map(legs.map((leg, index) => [leg.clientRef, index]));
  const transfers = inserted.sort((a, b) => (order.get(a.clientRef) ?? 0) - (order.get(b.clientRef) ?? 0));
  return { transfers, replayed: false };
}
