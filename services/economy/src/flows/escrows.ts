/**
 * Escrow for player orders: the payer's reward and commission held for the order, then released
 * to the executor, refunded or split, once; through the API or social's order events (orders.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  AppError,
  type AuthContext,
  hasAnyRole,
  type IdempotencyRequest,
  type IdempotentResult,
  type OutboxRow,
  runIdempotentCommand,
  runStatementCommand,
} from '@necp/platform';
import { CURRENCY } from '../domain/catalogue.ts';
import {
  type EscrowView,
  escrowHoldLeg,
  type Outcome,
  type RecordedOutcome,
  repeatsOutcome,
  type Settlement,
  settle,
  settlementLegs,
} from '../domain/escrow.ts';
import { type MovementLeg, ownerKey, type PendingLeg } from '../domain/movements.ts';
import { escrowSettlers, Roles } from '../domain/roles.ts';
import { escrowOutboxRow, ledgerTransferOutboxRow } from '../events.ts';
import {
  type EscrowLegItem,
  type EscrowSettleItem,
  escrowTerms,
  eventItem,
  lockEscrowMovement,
  readEscrow,
  settleEscrowMovement,
} from '../store/escrows.ts';
import type { EconomyDb, EconomyTables, Trx } from '../store/tables.ts';
import type { EconomyDeps } from './deps.ts';
import { insufficientFunds } from './movement.ts';
import { assertPayerIsCustomer } from './order-customers.ts';

export interface LockRequest {
  orderId: string;
  payerCharacterId: string;
  amount: number;
  commission: number;
}

/** A leg as the escrow's statement writes it, with its event; `hold` is the pending leg a post or void resolves. */
function legWithEvent(leg: MovementLeg, hold: PendingLeg): { leg: EscrowLegItem; event: OutboxRow<unknown> } {
  const resolves = leg.type === 'post' || leg.type === 'void';
  const { debit, credit } = resolves ? hold : leg;
  const item: EscrowLegItem = {
    transfer_id: randomUUID(),
    client_ref: leg.clientRef,
    kind: leg.type,
    debit_kind: debit.kind,
    debit_owner: debit.ownerId,
    credit_kind: credit.kind,
    credit_owner: credit.ownerId,
    asset: debit.asset,
    amount: leg.type === 'void' ? 0 : leg.amount,
    pending_id: resolves ? leg.pendingId : null,
    released: resolves ? hold.amount : 0,
    reason: leg.reason,
    actor_id: leg.actorId ?? null,
  };
  const event = ledgerTransferOutboxRow(
    {
      id: item.transfer_id,
      clientRef: item.client_ref,
      kind: item.kind,
      reason: item.reason,
      asset: item.asset,
      amount: item.amount,
      pendingId: item.pending_id,
    },
    debit,
    credit,
  );
  return { leg: item, event };
}

/**
 * Holds amount + commission from the payer; a repeat for the same order returns the first lock.
 * An order social already closed holds nothing: 409 INVALID_STATE.
 */
export async function lockEscrow(
  db: EconomyDb | Trx,
  request: LockRequest,
  actorId: string | null,
): Promise<EscrowView> {
  const input = {
    ...request,
    orderId: ownerKey(request.orderId),
    payerCharacterId: ownerKey(request.payerCharacterId),
  };
  const hold = escrowHoldLeg(input, actorId);
  const { leg, event } = legWithEvent(hold, hold);
  const answer = await lockEscrowMovement(db, {
    order_id: input.orderId,
    payer_character_id: input.payerCharacterId,
    amount: input.amount,
    commission: input.commission,
    actor_id: actorId,
    source: 'lock',
    legs: [leg],
    events: [event, escrowOutboxRow({ ...input, status: 'locked', executorAmount: 0, refundAmount: 0 })].map(eventItem),
  });
  if (answer.answer === 'closed') {
    throw new AppError('INVALID_STATE', `Order ${input.orderId} is already ${answer.closedAs}: nothing to hold`);
  }
  if (answer.answer === 'refused') {
    throw insufficientFunds({ asset: CURRENCY, available: answer.available, required: hold.amount });
  }
  const { escrow } = answer;
  if (
    escrow.payerCharacterId !== input.payerCharacterId ||
    escrow.amount !== input.amount ||
    escrow.commission !== input.commission
  ) {
    throw new AppError('CONFLICT', `Order ${input.orderId} already has an escrow with other terms`);
  }
  return escrow;
}

/** A settlement that found the escrow already ended: a repeat of that outcome moves nothing, another is 409. */
function assertRepeat(escrow: RecordedOutcome, outcome: Outcome, executorCharacterId: string | null, orderId: string) {
  if (repeatsOutcome(escrow, outcome, executorCharacterId)) return;
  const terms = escrow.status === outcome.status ? ', with other terms' : '';
  throw new AppError('INVALID_STATE', `The escrow of order ${orderId} is already ${escrow.status}${terms}`);
}

/**
 * Ends a locked escrow once. Asking again for the outcome it already had (the same status, amounts
 * and executor) moves nothing; asking for another outcome is 409 INVALID_STATE, so a second
 * settlement with other terms (a split at another share, a release to another executor) is told it
 * did not apply. 404 NOT_FOUND when the order has no escrow. The caller reads the escrow afterwards
 * if it answers it (the order events' consumer does not). Two statements: the escrow's terms, read
 * without a lock, decide the legs; one statement checks under the escrow's row lock and writes them.
 */
export async function settleEscrow(
  trx: Trx,
  order: string,
  settlement: Settlement,
  executor: string | null,
  actorId: string | null,
  source: string,
): Promise<void> {
  const orderId = ownerKey(order);
  const executorCharacterId = executor === null ? null : ownerKey(executor);
  const escrow = await escrowTerms(trx, orderId);
  if (!escrow) throw new AppError('NOT_FOUND', `No escrow for order ${orderId}`);
  const outcome = settle(escrow, settlement);
  if (escrow.status !== 'locked') return assertRepeat(escrow, outcome, executorCharacterId, orderId);
  if (outcome.executorAmount > 0 && !executorCharacterId) {
    throw new AppError('VALIDATION_ERROR', 'This outcome pays an executor: executorCharacterId is required', {
      errors: [{ path: 'body/executorCharacterId', message: 'is required' }],
    });
  }
  const answer = await writeSettlement(trx, { orderId, escrow, outcome, executorCharacterId, actorId, source });
  // Another settlement ended the escrow between our read and our statement.
  if (answer.answer === 'settled') assertRepeat(answer.escrow, outcome, executorCharacterId, orderId);
}

type EscrowTerms = NonNullable<Awaited<ReturnType<typeof escrowTerms>>>;

/** `escrow_settle`'s one statement: the legs, the outcome and its events of a locked escrow. */
function writeSettlement(
  db: EconomyDb | Trx,
  what: {
    orderId: string;
    escrow: EscrowTerms;
    outcome: Outcome;
    executorCharacterId: string | null;
    actorId: string | null;
    source: string;
    claim?: EscrowSettleItem['claim'];
  },
) {
  const { orderId, escrow, outcome, executorCharacterId } = what;
  const hold = escrowHoldLeg({ ...escrow, orderId }, null);
  const legs = settlementLegs(orderId, escrow.holdTransferId, outcome, executorCharacterId, what.actorId).map((leg) =>
    legWithEvent(leg, hold),
  );
  return settleEscrowMovement(db, {
    order_id: orderId,
    hold_transfer_id: escrow.holdTransferId,
    status: outcome.status,
    executor_character_id: executorCharacterId,
    executor_amount: outcome.executorAmount,
    refund_amount: outcome.refundAmount,
    commission_taken: outcome.commissionTaken,
    actor_id: what.actorId,
    source: what.source,
    legs: legs.map((entry) => entry.leg),
    events: [...legs.map((entry) => entry.event), escrowOutboxRow({ ...escrow, orderId, ...outcome })].map(eventItem),
    ...(what.claim ? { claim: what.claim } : {}),
  });
}

/**
 * An order event's settlement of a still locked escrow in two statements and no transaction: the
 * terms read, then `escrow_settle` writing the settlement and the event's claim together. False
 * when it wrote nothing (no escrow yet, already ended, a racing settlement, the event already
 * claimed): the caller then takes the transactional path, which knows what each of those means.
 */
export async function settleLockedEscrowAlone(
  db: EconomyDb,
  order: string,
  settlement: Settlement,
  executor: string | null,
  actorId: string | null,
  claim: NonNullable<EscrowSettleItem['claim']>,
): Promise<boolean> {
  const orderId = ownerKey(order);
  const executorCharacterId = executor === null ? null : ownerKey(executor);
  const escrow = await escrowTerms(db, orderId);
  if (escrow?.status !== 'locked') return false;
  const outcome = settle(escrow, settlement);
  if (outcome.executorAmount > 0 && !executorCharacterId) return false;
  const source = `event:${claim.event_id}`;
  const answer = await writeSettlement(db, { orderId, escrow, outcome, executorCharacterId, actorId, source, claim });
  return answer.answer === 'applied';
}

/**
 * The lock through the API: by a service, or by the payer's owner for an order social knows them the
 * customer of. Without an Idempotency-Key (social's publish) the lock is its one statement, atomic on its
 * own, so it runs without BEGIN and COMMIT (two round trips fewer); with one, the key's claim and the
 * lock commit together.
 */
export async function lockOrderEscrow(
  deps: EconomyDeps,
  caller: AuthContext,
  request: LockRequest,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  await deps.characters.assertCallerOwns(caller, request.payerCharacterId, [Roles.service]);
  if (!hasAnyRole(caller, [Roles.service])) {
    await assertPayerIsCustomer(deps.orderCustomers, request.orderId, request.payerCharacterId);
  }
  return runStatementCommand<EconomyTables>(deps.database, idempotency, async (db) => ({
    status: 201,
    body: await lockEscrow(db, request, caller.accountId),
  }));
}

/** A settlement through the API (its caller holds a settler's role): nothing is paid to a character no one can play. */
export async function settleOrderEscrow(
  deps: EconomyDeps,
  caller: AuthContext,
  orderId: string,
  { settlement, executor }: { settlement: Settlement; executor: string | null },
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  if (executor !== null) await deps.characters.assertLive(executor);
  return runIdempotentCommand<EconomyTables>(deps.database, idempotency, async (trx) => {
    await settleEscrow(trx, orderId, settlement, executor, caller.accountId, 'api');
    return { status: 200, body: (await readEscrow(trx, ownerKey(orderId))) as EscrowView };
  });
}

/** An order's escrow, for its parties, arbiters, admins and services. */
export async function escrowFor(deps: EconomyDeps, caller: AuthContext, orderId: string): Promise<EscrowView> {
  const escrow = await readEscrow(deps.db, orderId);
  if (!escrow) throw new AppError('NOT_FOUND', `No escrow for order ${orderId}`);
  const allowed =
    hasAnyRole(caller, escrowSettlers) ||
    (await deps.characters.ownsAny(caller, [escrow.payerCharacterId, escrow.executorCharacterId]));
  if (!allowed) throw new AppError('FORBIDDEN', 'Only the parties of the order, arbiters and services see its escrow');
  return escrow;
}
