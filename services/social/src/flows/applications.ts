/** Applications to a published order: submit, withdraw, list, and the customer's accept. */
import { randomUUID } from 'node:crypto';
import {
  AppError,
  type AuthContext,
  type IdempotencyRequest,
  type IdempotentResult,
  retryTransaction,
  runIdempotentCommand,
  runStatementCommand,
} from '@necp/platform';
import { ratingRules } from '../domain/order-config.ts';
import {
  type ApplicationRow,
  acceptChosenAtOnce,
  acceptOrder,
  type Chosen,
  insertApplication,
  listApplications,
  lockApplication,
  lockOrderChoosing,
  setApplicationStatus,
} from '../store/applications.ts';
import { type OrderRow, readOrder } from '../store/orders.ts';
import type { Reader, SocialTables, Trx } from '../store/tables.ts';
import { appendTimeline } from '../store/timeline.ts';
import type { SocialDeps } from './deps.ts';
import { assertVisible, notFound, rolesOf } from './order-access.ts';
import { lockedTransitionCommand } from './order-command.ts';
import { orderView } from './order-view.ts';
import { ratingsOf } from './ratings.ts';
import { type Actor, assertAllowed, blindWrites, lockedOrder, transitionWrites } from './transition.ts';

export function applicationView(row: ApplicationRow) {
  return {
    applicationId: row.application_id,
    orderId: row.order_id,
    characterId: row.character_id,
    bid: row.bid,
    coverLetter: row.cover_letter,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface Apply {
  characterId: string;
  bid?: number | undefined;
  coverLetter?: string | undefined;
}

/**
 * A character applies to a published order it may see: not its owner's own order, at or above the
 * order's `minExecutorRating`, one live application per character (409 ALREADY_APPLIED). The insert
 * itself checks all of it; only when it inserted nothing is the order read, to say why.
 */
export async function submitApplication(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  request: Apply,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  const applicant = await deps.facts(request.characterId);
  const characterId = request.characterId.toLowerCase();
  const owned = applicant.accountId === caller.accountId;
  return runStatementCommand<SocialTables>(deps.database, idempotency, async (db) => {
    const now = new Date();
    const applicationId = randomUUID();
    const inserted = owned
      ? await insertApplication(
          db,
          {
            application_id: applicationId,
            order_id: orderId,
            character_id: characterId,
            account_id: caller.accountId,
            bid: request.bid ?? null,
            cover_letter: request.coverLetter ?? null,
            created_at: now,
          },
          {
            kind: 'application',
            actor: caller.accountId,
            detail: { action: 'submitted', applicationId, characterId },
            at: now,
          },
          { accountId: caller.accountId, faction: applicant.faction, startingScore: ratingRules.startingScore },
        )
      : undefined;
    if (inserted?.application) return { status: 201, body: applicationView(inserted.application) };
    return refuseApplication(deps, db, caller, orderId, characterId, applicant, owned);
  });
}

/** Why an application was not inserted: the order read and the checks taken in the order the contract answers them. */
async function refuseApplication(
  deps: SocialDeps,
  db: Reader,
  caller: AuthContext,
  orderId: string,
  characterId: string,
  applicant: { faction: string | null },
  owned: boolean,
): Promise<never> {
  const order = await readOrder(db, orderId);
  if (!order) throw notFound(orderId);
  if (!owned) throw new AppError('CHARACTER_NOT_OWNED', 'The character belongs to another account');
  await assertVisible(deps, caller, order, {
    all: false,
    accountId: caller.accountId,
    characterId,
    faction: applicant.faction,
  });
  if (order.customer_account_id === caller.accountId) {
    throw new AppError('FORBIDDEN', 'Nobody applies to their own order');
  }
  const invitedOnly = order.access_level === 'private' || order.access_level === 'invite_only';
  if (invitedOnly && !order.invited_character_ids.includes(characterId)) {
    throw new AppError('FORBIDDEN', 'Only invited characters apply to this order');
  }
  if (order.access_level === 'faction' && applicant.faction !== order.customer_faction) {
    throw new AppError('FORBIDDEN', "Only characters of the customer's faction apply to this order");
  }
  if (order.min_executor_rating !== null) {
    const { executor } = await ratingsOf(db, characterId);
    if (executor.score < order.min_executor_rating) {
      throw new AppError(
        'REQUIREMENTS_NOT_MET',
        `This order wants an executor rating of ${order.min_executor_rating}; yours is ${executor.score}`,
      );
    }
  }
  if (order.status !== 'published') {
    throw new AppError('INVALID_STATE', `An order ${order.status} takes no applications`);
  }
  throw new AppError('ALREADY_APPLIED', 'This character already has a live application here');
}

/** The applicant withdraws a submitted application. */
export function withdrawApplication(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  applicationId: string,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  return runIdempotentCommand<SocialTables>(deps.database, idempotency, async (trx) => {
    await lockedOrder(trx, orderId);
    const application = await lockApplication(trx, orderId, applicationId);
    if (!application || application.account_id !== caller.accountId) {
      throw new AppError('NOT_FOUND', `No application ${applicationId} of yours on order ${orderId}`);
    }
    if (application.status !== 'submitted') {
      throw new AppError('INVALID_STATE', `An application ${application.status} cannot be withdrawn`);
    }
    const now = new Date();
    const withdrawn = await setApplicationStatus(trx, applicationId, 'withdrawn', now);
    await appendTimeline(trx, orderId, {
      kind: 'application',
      actor: caller.accountId,
      detail: { action: 'withdrawn', applicationId, characterId: application.character_id },
      at: now,
    });
    return { status: 200, body: applicationView(withdrawn) };
  });
}

/** The customer (and arbiters) see every application; an applicant only their own. */
export async function applicationsOf(deps: SocialDeps, caller: AuthContext, orderId: string) {
  const order = await readOrder(deps.db, orderId);
  if (!order) throw notFound(orderId);
  const roles = rolesOf(caller, order);
  const seesAll = roles.includes('customer') || roles.includes('arbiter');
  const rows = await listApplications(deps.db, orderId, seesAll ? undefined : caller.accountId);
  // An outsider with no application of their own learns nothing about a private order, not even that it exists.
  if (!seesAll && rows.length === 0) {
    await assertVisible(deps, caller, order, {
      all: false,
      accountId: caller.accountId,
      characterId: null,
      faction: null,
    });
  }
  return { items: rows.map(applicationView) };
}

/**
 * The customer accepts one submitted application: the order is `accepted` with that executor and
 * every other application `rejected`. Without an Idempotency-Key in one statement that locks the
 * order's row as it changes it and then makes the choice with what committed meanwhile
 * (`acceptChosenAtOnce`); with one, or when that statement changed nothing, in one transaction after the order's row lock.
 */
export async function acceptApplication(
  deps: SocialDeps,
  caller: AuthContext,
  orderId: string,
  applicationId: string,
  idempotency: IdempotencyRequest | undefined,
): Promise<IdempotentResult> {
  if (idempotency === undefined) {
    const now = new Date();
    const { writes, callerMay } = blindWrites(orderId, 'accept', caller, now, { accepted_at: now }, { applicationId });
    const accepted = await retryTransaction(() =>
      acceptChosenAtOnce(deps.db, orderId, applicationId, writes.change, writes.entry, writes.event, callerMay),
    );
    // A published order had no accepted application: the one accepted now is its only live one.
    if (accepted) return { status: 200, body: orderView(accepted, 1), replayed: false };
  }
  // Locked first, the statement that rejects the other applications sees those that came in while the accept
  // waited; 404, 403 or 409 are said from the locked order and the chosen application.
  const work = async (trx: Trx, order: OrderRow & { chosen: Chosen }, actor: Actor, now: Date) => {
    assertAllowed(order, 'accept', actor);
    const application = order.chosen;
    if (!application) throw new AppError('NOT_FOUND', `No application ${applicationId} on order ${orderId}`);
    if (application.status !== 'submitted') {
      throw new AppError('INVALID_STATE', `An application ${application.status} cannot be accepted`);
    }
    const writes = transitionWrites(
      order,
      'accept',
      actor,
      now,
      {
        executor_character_id: application.character_id,
        executor_account_id: application.account_id,
        accepted_at: now,
      },
      { applicationId },
    );
    const accepted = await acceptOrder(trx, orderId, applicationId, writes.change, writes.entry, writes.event);
    // A published order had no accepted application: the one accepted now is its only live one.
    return accepted && { ...accepted, liveApplications: 1 };
  };
  return lockedTransitionCommand(deps, caller, orderId, idempotency, work, (trx) =>
    lockOrderChoosing(trx, orderId, applicationId),
  );
}
