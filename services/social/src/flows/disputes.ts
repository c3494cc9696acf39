/** Disputes: a party opens one from in_progress or delivered; an arbiter resolves it with the executor's share. */
import { randomUUID } from 'node:crypto';
import {
  AppError,
  type AuthContext,
  decodeKeysetCursor,
  encodeKeysetCursor,
  type IdempotencyRequest,
  type IdempotentResult,
  pageLimit,
} from '@necp/platform';
import { orderRules } from '../domain/order-config.ts';
import {
  countOpenDisputes,
  type DisputeRow,
  insertDispute,
  openDisputes,
  resolveDispute,
  serializeDisputesOf,
} from '../store/disputes.ts';
import { appendTimeline } from '../store/timeline.ts';
import type { SocialDeps } from './deps.ts';
import { orderCommand } from './order-command.ts';
import { assertAllowed, transition } from './transition.ts';

export interface OpenDispute {
  reason: string;
  evidence?: string[] | undefined;
}

/**
 * Either party disputes the order (at most 3 open disputes per account, 409 DISPUTE_LIMIT); the
 * escrow stays locked until an arbiter resolves it.
 */
export function disputeOrder(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  request: OpenDispute,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  return orderCommand(deps, caller, orderId, idempotency, async (trx, order, actor, now) => {
    assertAllowed(order, 'dispute', actor);
    // The account's disputes open one at a time, so the limit holds when it disputes two orders at once.
    await serializeDisputesOf(trx, caller.accountId);
    if ((await countOpenDisputes(trx, caller.accountId)) >= orderRules.maxOpenDisputesPerAccount) {
      throw new AppError(
        'DISPUTE_LIMIT',
        `An account has at most ${orderRules.maxOpenDisputesPerAccount} open disputes`,
      );
    }
    const asCustomer = actor.roles.includes('customer');
    const characterId = (asCustomer ? order.customer_character_id : order.executor_character_id) as string;
    const dispute = await insertDispute(trx, {
      disputeId: randomUUID(),
      orderId,
      characterId,
      accountId: caller.accountId,
      reason: request.reason,
      evidence: request.evidence ?? [],
      now,
    });
    await appendTimeline(trx, orderId, {
      kind: 'dispute',
      actor: caller.accountId,
      detail: { action: 'opened', disputeId: dispute.dispute_id, reason: request.reason },
      at: now,
    });
    return transition(trx, order, 'dispute', actor, now, {}, { disputeId: dispute.dispute_id });
  });
}

/**
 * An arbiter resolves the order's open dispute: the executor gets floor(reward × share / 100), the
 * customer the rest of the reward, the house the commission (economy splits from the event).
 */
export function resolveOrder(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  request: { executorSharePercent: number; note: string },
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  return orderCommand(deps, caller, orderId, idempotency, async (trx, order, actor, now) => {
    assertAllowed(order, 'resolve', actor);
    const dispute = await resolveDispute(trx, orderId, {
      executorSharePercent: request.executorSharePercent,
      note: request.note,
      resolvedBy: caller.accountId,
      now,
    });
    await appendTimeline(trx, orderId, {
      kind: 'dispute',
      actor: caller.accountId,
      detail: {
        action: 'resolved',
        disputeId: dispute?.dispute_id ?? null,
        executorSharePercent: request.executorSharePercent,
        note: request.note,
      },
      at: now,
    });
    return transition(trx, order, 'resolve', actor, now, { executor_share_percent: request.executorSharePercent });
  });
}

function disputeView(row: DisputeRow) {
  return {
    disputeId: row.dispute_id,
    orderId: row.order_id,
    openedByCharacterId: row.opened_by_character_id,
    reason: row.reason,
    evidence: row.evidence as string[],
    status: row.status,
    openedAt: row.opened_at.toISOString(),
  };
}

/** The arbiters' queue: open disputes, oldest first. */
export async function disputeQueue(
  deps: SocialDeps,
  query: { limit?: number | undefined; cursor?: string | undefined },
) {
  const limit = pageLimit(query);
  const after = query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor);
  const rows = await openDisputes(deps.db, limit, after);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(disputeView),
    nextCursor: rows.length > limit && last ? encodeKeysetCursor({ at: last.opened_at, id: last.dispute_id }) : null,
  };
}
