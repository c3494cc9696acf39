/** Reviews: a party rates the other once the order ended (completed, resolved, or cancelled after accept). */
import {
  AppError,
  type AuthContext,
  type IdempotencyRequest,
  type IdempotentResult,
  runIdempotentCommand,
} from '@necp/platform';
import { insertReview } from '../store/reviews.ts';
import type { SocialTables } from '../store/tables.ts';
import { appendTimeline } from '../store/timeline.ts';
import type { SocialDeps } from './deps.ts';
import { assertVisible, rolesOf } from './order-access.ts';
import { refreshRatings } from './ratings.ts';
import { lockedOrder } from './transition.ts';

export interface Review {
  rating: number;
  comment?: string | undefined;
}

export function reviewOrder(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  request: Review,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  return runIdempotentCommand<SocialTables>(deps.database, idempotency, async (trx) => {
    const order = await lockedOrder(trx, orderId);
    await assertVisible(deps, caller, order, {
      all: false,
      accountId: caller.accountId,
      characterId: null,
      faction: null,
    });
    const roles = rolesOf(caller, order);
    const asCustomer = roles.includes('customer');
    if (!asCustomer && !roles.includes('executor')) throw new AppError('FORBIDDEN', 'Only the parties review an order');
    const ended =
      order.status === 'completed' ||
      order.status === 'resolved' ||
      (order.status === 'cancelled' && order.executor_character_id !== null);
    if (!ended) throw new AppError('INVALID_STATE', `An order ${order.status} cannot be reviewed yet`);
    const now = new Date();
    const subjectRole = asCustomer ? 'executor' : 'customer';
    const review = await insertReview(trx, {
      order_id: orderId,
      author_character_id: asCustomer ? order.customer_character_id : (order.executor_character_id as string),
      subject_character_id: asCustomer ? (order.executor_character_id as string) : order.customer_character_id,
      subject_role: subjectRole,
      rating: request.rating,
      comment: request.comment ?? null,
      created_at: now,
    });
    if (!review) throw new AppError('ALREADY_REVIEWED', 'This party already reviewed the order');
    await appendTimeline(trx, orderId, {
      kind: 'review',
      actor: caller.accountId,
      detail: { rating: request.rating, subjectRole },
      at: now,
    });
    await refreshRatings(trx, [{ characterId: review.subject_character_id, role: subjectRole }], now, false);
    return {
      status: 201,
      body: {
        orderId,
        authorCharacterId: review.author_character_id,
        subjectCharacterId: review.subject_character_id,
        subjectRole,
        rating: review.rating,
        comment: review.comment,
        createdAt: review.created_at.toISOString(),
      },
    };
  });
}
