/** Orders: the draft, its publish (the escrow lock at economy) and the parties' plain transitions. */
import { randomUUID } from 'node:crypto';
import {
  AppError,
  type AuthContext,
  type IdempotencyRequest,
  type IdempotentResult,
  runStatementCommand,
} from '@necp/platform';
import { orderRules, ratingRules } from '../domain/order-config.ts';
import { commissionFor, tierOf } from '../domain/ratings.ts';
import { orderTransitionEvent } from '../events.ts';
import { rejectSubmitted } from '../store/applications.ts';
import { countOpenOrders, insertOrder, openOrdersBelow, readPublishFacts } from '../store/orders.ts';
import type { SocialTables } from '../store/tables.ts';
import type { SocialDeps } from './deps.ts';
import { rolesOf } from './order-access.ts';
import { orderCommand, transitionCommand } from './order-command.ts';
import { orderView } from './order-view.ts';
import { assertAllowed, blindTransition, guardedTransition, transition } from './transition.ts';

export interface CreateOrder {
  customerCharacterId: string;
  orderType: string;
  title: string;
  description: string;
  districtId: string;
  reward: number;
  deadline: string;
  accessLevel: string;
  invitedCharacterIds?: string[] | undefined;
  minExecutorRating?: number | undefined;
}

/** A draft, for the owner of the customer character; its faction is remembered for faction-only orders. */
export async function createOrder(
  deps: SocialDeps,
  caller: AuthContext,
  request: CreateOrder,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  const now = new Date();
  const deadline = new Date(request.deadline);
  if (!(deadline.getTime() > now.getTime()) || deadline.getUTCFullYear() > 9999) {
    throw new AppError('VALIDATION_ERROR', 'The deadline must be in the future', {
      errors: [{ path: 'body/deadline', message: 'must be in the future' }],
    });
  }
  const customer = await deps.facts(request.customerCharacterId);
  if (customer.accountId !== caller.accountId) {
    throw new AppError('CHARACTER_NOT_OWNED', 'The character belongs to another account');
  }
  return runStatementCommand<SocialTables>(deps.database, idempotency, async (db) => {
    const draft = {
      orderId: randomUUID(),
      customerCharacterId: request.customerCharacterId.toLowerCase(),
      customerAccountId: caller.accountId,
      customerFaction: customer.faction,
      orderType: request.orderType,
      title: request.title,
      description: request.description,
      districtId: request.districtId,
      reward: request.reward,
      deadline,
      accessLevel: request.accessLevel,
      invitedCharacterIds: [...new Set((request.invitedCharacterIds ?? []).map((id) => id.toLowerCase()))],
      minExecutorRating: request.minExecutorRating ?? null,
      now,
    };
    // The draft is announced too, so the order's parties are known (the gateway's stream routes the escrow
    // lock of the publish by them) before any money moves.
    const event = orderTransitionEvent(
      {
        order_id: draft.orderId,
        status: 'draft',
        customer_character_id: draft.customerCharacterId,
        executor_character_id: null,
        order_type: draft.orderType,
        district_id: draft.districtId,
        reward: draft.reward,
        executor_share_percent: null,
      },
      null,
      caller.accountId,
    );
    const order = await insertOrder(
      db,
      draft,
      {
        kind: 'transition',
        fromStatus: null,
        toStatus: 'draft',
        actor: caller.accountId,
        detail: { action: 'create' },
        at: now,
      },
      event,
    );
    return { status: 201, body: orderView(order, 0) };
  });
}

function assertUnderOpenLimit(openOrders: number) {
  if (openOrders >= orderRules.maxOpenOrdersPerCustomer) {
    throw new AppError(
      'ORDER_LIMIT',
      `A customer character has at most ${orderRules.maxOpenOrdersPerCustomer} open orders`,
    );
  }
}

/**
 * Publishes a draft: reward + commission (by the customer's tier) are locked at economy first,
 * synchronously and idempotently on the order id, then the order moves in one statement that also
 * checks the open-order limit under the customer's lock. A
 * refused lock (422 INSUFFICIENT_FUNDS) leaves the draft as it was. A crash between the two leaves
 * a draft whose lock a new publish finds again, or whose cancel refunds it (economy settles from the
 * cancel event).
 */
export async function publishOrder(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  const facts = await readPublishFacts(deps.db, orderId);
  let commission: number | undefined;
  if (facts?.order.status === 'draft' && rolesOf(caller, facts.order).includes('customer')) {
    const draft = facts.order;
    assertUnderOpenLimit(facts.openOrders);
    const score = facts.customerScore ?? ratingRules.startingScore;
    const held = await deps.escrow.lock({
      orderId: draft.order_id,
      payerCharacterId: draft.customer_character_id,
      amount: draft.reward,
      commission: commissionFor(draft.reward, tierOf(score)),
    });
    commission = held.commission;
  }
  return transitionCommand(
    deps,
    caller,
    orderId,
    idempotency,
    async (db, order, actor, now) => {
      assertAllowed(order, 'publish', actor);
      if (commission === undefined) throw new AppError('INVALID_STATE', 'The order changed while it was published');
      const limit = openOrdersBelow(order.customer_character_id, orderRules.maxOpenOrdersPerCustomer);
      const change = { commission, escrow_status: 'locked', published_at: now };
      const published = await guardedTransition(db, [order, 'publish', actor, now, change], limit);
      // Nothing changed: the order moved (the command reads why) or the limit was reached, said here.
      if (!published) assertUnderOpenLimit(await countOpenOrders(db, order.customer_character_id));
      return published;
    },
    facts && { order: facts.order },
  );
}

/** Executor: the work begins. */
export const startOrder = (deps: SocialDeps, caller: AuthContext, orderId: string, idem?: IdempotencyRequest) =>
  transitionCommand(
    deps,
    caller,
    orderId,
    idem,
    (db, order, actor, now) => guardedTransition(db, [order, 'start', actor, now]),
    { blind: (db, now) => blindTransition(db, orderId, 'start', caller, now) },
  );

export interface Delivery {
  proofLinks?: string[] | undefined;
  note?: string | undefined;
  craftingJobId?: string | undefined;
  combatId?: string | undefined;
}

/** Executor: the work is handed over; whether it came by the deadline counts in the executor's timeliness. */
export const deliverOrder = (
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  delivery: Delivery,
  idem?: IdempotencyRequest,
) => {
  const handedOver = (now: Date) => ({ delivery: JSON.stringify(delivery), delivered_at: now });
  return transitionCommand(
    deps,
    caller,
    orderId,
    idem,
    (db, order, actor, now) => guardedTransition(db, [order, 'deliver', actor, now, handedOver(now)]),
    { blind: (db, now) => blindTransition(db, orderId, 'deliver', caller, now, handedOver(now)) },
  );
};

/** Customer: the delivery is accepted; economy releases the reward to the executor. */
export const completeOrder = (deps: SocialDeps, caller: AuthContext, orderId: string, idem?: IdempotencyRequest) =>
  transitionCommand(
    deps,
    caller,
    orderId,
    idem,
    (db, order, actor, now) => guardedTransition(db, [order, 'complete', actor, now]),
    { blind: (db, now) => blindTransition(db, orderId, 'complete', caller, now) },
  );

/** Customer: from draft or published everything is refunded; from accepted the executor keeps 10% of the reward. */
export const cancelOrder = (deps: SocialDeps, caller: AuthContext, orderId: string, idem?: IdempotencyRequest) =>
  orderCommand(deps, caller, orderId, idem, async (trx, order, actor, now) => {
    const cancelled = await transition(trx, order, 'cancel', actor, now);
    await rejectSubmitted(trx, order.order_id, null, now);
    return cancelled;
  });
