/**
 * Escrow for player orders: the payer's reward and commission held for the order, then released
 * to the executor, refunded or split, once; through the API or social's order events (orders.ts).
 */
import {
  AppError,
  type AuthContext,
  hasAnyRole,
  type IdempotencyRequest,
  type IdempotentResult,
  runIdempotentCommand,
} from '@necp/platform';
import {
  type EscrowView,
  escrowHoldLeg,
  repeatsOutcome,
  type Settlement,
  settle,
  settlementLegs,
} from '../domain/escrow.ts';
import { ownerKey } from '../domain/movements.ts';
import { escrowSettlers, Roles } from '../domain/roles.ts';
import { escrowOutboxRow } from '../events.ts';
import {
  closedOrderStatus,
  insertEscrow,
  lockEscrowRow,
  readEscrow,
  serializeOrder,
  writeOutcome,
} from '../store/escrows.ts';
import type { EconomyTables, Trx } from '../store/tables.ts';
import type { EconomyDeps } from './deps.ts';
import { moveOrRefuse } from './movement.ts';
import { assertPayerIsCustomer } from './order-customers.ts';

export interface LockRequest {
  orderId: string;
  payerCharacterId: string;
  amount: number;
  commission: number;
}

/**
 * Holds amount + commission from the payer; a repeat for the same order returns the first lock.
 * An order social already closed holds nothing: 409 INVALID_STATE.
 */
export async function lockEscrow(trx: Trx, request: LockRequest, actorId: string | null): Promise<EscrowView> {
  const input = {
    ...request,
    orderId: ownerKey(request.orderId),
    payerCharacterId: ownerKey(request.payerCharacterId),
  };
  await serializeOrder(trx, input.orderId);
  const existing = await lockEscrowRow(trx, input.orderId);
  if (!existing) {
    const closed = await closedOrderStatus(trx, input.orderId);
    if (closed !== undefined) {
      throw new AppError('INVALID_STATE', `Order ${input.orderId} is already ${closed}: nothing to hold`);
    }
    const { transfers, replayed } = await moveOrRefuse(trx, [escrowHoldLeg(input, actorId)]);
    // A racing lock of the same order committed the hold and its escrow row together; ours found the hold.
    if (!replayed) {
      await insertEscrow(
        trx,
        input,
        (transfers[0] as { id: string }).id,
        { orderId: input.orderId, status: 'locked', outcome: undefined, actorId, source: 'lock' },
        escrowOutboxRow({ ...input, status: 'locked', executorAmount: 0, refundAmount: 0 }),
      );
    }
  }
  const escrow = (await readEscrow(trx, input.orderId)) as EscrowView;
  if (
    escrow.payerCharacterId !== input.payerCharacterId ||
    escrow.amount !== input.amount ||
    escrow.commission !== input.commission
  ) {
    throw new AppError('CONFLICT', `Order ${input.orderId} already has an escrow with other terms`);
  }
  return escrow;
}

/**
 * Ends a locked escrow once. Asking again for the outcome it already had (the same status, amounts
 * and executor) moves nothing; asking for another outcome is 409 INVALID_STATE, so a second
 * settlement with other terms (a split at another share, a release to another executor) is told it
 * did not apply. 404 NOT_FOUND when the order has no escrow. The caller reads the escrow afterwards
 * if it answers it (the order events' consumer does not: one read less under the accounts' locks).
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
  const escrow = await lockEscrowRow(trx, orderId);
  if (!escrow) throw new AppError('NOT_FOUND', `No escrow for order ${orderId}`);
  const outcome = settle(escrow, settlement);
  if (escrow.status !== 'locked') {
    if (repeatsOutcome(escrow, outcome, executorCharacterId)) return;
    const terms = escrow.status === outcome.status ? ', with other terms' : '';
    throw new AppError('INVALID_STATE', `The escrow of order ${orderId} is already ${escrow.status}${terms}`);
  }
  if (outcome.executorAmount > 0 && !executorCharacterId) {
    throw new AppError('VALIDATION_ERROR', 'This outcome pays an executor: executorCharacterId is required', {
      errors: [{ path: 'body/executorCharacterId', message: 'is required' }],
    });
  }
  await moveOrRefuse(trx, settlementLegs(orderId, escrow.holdTransferId, outcome, executorCharacterId, actorId));
  await writeOutcome(
    trx,
    orderId,
    outcome,
    executorCharacterId,
    { orderId, status: outcome.status, outcome, actorId, source },
    escrowOutboxRow({ ...escrow, orderId, ...outcome }),
  );
}

/** The lock through the API: by a service, or by the payer's owner for an order social knows them the customer of. */
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
  return runIdempotentCommand<EconomyTables>(deps.database, idempotency, async (trx) => ({
    status: 201,
    body: await lockEscrow(trx, request, caller.accountId),
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
