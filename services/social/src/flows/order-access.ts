/** Who a caller is to an order: the roles it may act in, and whether it may see the order at all. */
import { AppError, type AuthContext, hasAnyRole } from '@necp/platform';
import type { OrderRole } from '../domain/order-machine.ts';
import type { OrderRow, Viewer } from '../store/orders.ts';
import type { SocialDeps } from './deps.ts';

/** Roles that see every order (and resolve disputes: arbiter). */
export const Arbiters = ['arbiter'] as const;
const SeeEverything = ['arbiter', 'admin', 'service'];

export function rolesOf(caller: AuthContext, order: OrderRow): OrderRole[] {
  const roles: OrderRole[] = [];
  if (caller.accountId === order.customer_account_id) roles.push('customer');
  if (order.executor_account_id !== null && caller.accountId === order.executor_account_id) roles.push('executor');
  if (hasAnyRole(caller, Arbiters)) roles.push('arbiter');
  return roles;
}

export function notFound(orderId: string): AppError {
  return new AppError('NOT_FOUND', `No order ${orderId}`);
}

/**
 * The viewer of lists and details: everything for arbiters, admins and services; else the caller's
 * account and, when it names one of its characters, that character's invitations and faction.
 */
export async function viewerOf(
  deps: SocialDeps,
  caller: AuthContext,
  characterId: string | undefined,
): Promise<Viewer> {
  if (hasAnyRole(caller, SeeEverything)) return { all: true };
  if (characterId === undefined) return { all: false, accountId: caller.accountId, characterId: null, faction: null };
  await deps.characters.assertCallerOwns(caller, characterId);
  const { faction } = await deps.facts(characterId);
  return { all: false, accountId: caller.accountId, characterId: characterId.toLowerCase(), faction };
}

/**
 * Whether `viewer` sees `order`: public to all; faction to its faction; invite_only and private to
 * their invitees; every order to its parties and to arbiters. Unseen orders are 404, not 403.
 */
export async function assertVisible(
  deps: SocialDeps,
  caller: AuthContext,
  order: OrderRow,
  viewer: Viewer,
): Promise<void> {
  if (viewer.all || order.access_level === 'public' || rolesOf(caller, order).length > 0) return;
  if (order.access_level === 'faction' && viewer.faction !== null && viewer.faction === order.customer_faction) return;
  if (order.access_level !== 'faction' && (await deps.characters.ownsAny(caller, order.invited_character_ids))) return;
  throw notFound(order.order_id);
}
