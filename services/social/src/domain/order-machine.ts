/**
 * The order's state machine of shared/DOMAIN.md as one table: each action, the states it leaves,
 * the state it reaches and who may take it. Nothing else moves an order.
 */
export const OrderStatuses = [
  'draft',
  'published',
  'accepted',
  'in_progress',
  'delivered',
  'completed',
  'cancelled',
  'disputed',
  'resolved',
] as const;
export type OrderStatus = (typeof OrderStatuses)[number];

/** Who acts: the order's customer or executor (by account), an arbiter, or the schedulers. */
export type OrderRole = 'customer' | 'executor' | 'arbiter' | 'system';

export type OrderAction =
  | 'publish'
  | 'accept'
  | 'start'
  | 'deliver'
  | 'complete'
  | 'cancel'
  | 'dispute'
  | 'resolve'
  | 'expire'
  | 'autoComplete';

interface Transition {
  from: readonly OrderStatus[];
  to: OrderStatus;
  roles: readonly OrderRole[];
}

export const transitions: Record<OrderAction, Transition> = {
  publish: { from: ['draft'], to: 'published', roles: ['customer'] },
  accept: { from: ['published'], to: 'accepted', roles: ['customer'] },
  start: { from: ['accepted'], to: 'in_progress', roles: ['executor'] },
  deliver: { from: ['in_progress'], to: 'delivered', roles: ['executor'] },
  complete: { from: ['delivered'], to: 'completed', roles: ['customer'] },
  cancel: { from: ['draft', 'published', 'accepted'], to: 'cancelled', roles: ['customer'] },
  dispute: { from: ['in_progress', 'delivered'], to: 'disputed', roles: ['customer', 'executor'] },
  resolve: { from: ['disputed'], to: 'resolved', roles: ['arbiter'] },
  // The schedulers' own moves over the same edges: a published order past its deadline, a delivery left unanswered.
  expire: { from: ['published'], to: 'cancelled', roles: ['system'] },
  autoComplete: { from: ['delivered'], to: 'completed', roles: ['system'] },
};

export type Decision =
  | { ok: true; from: OrderStatus; to: OrderStatus }
  | { ok: false; code: 'FORBIDDEN' | 'INVALID_STATE'; detail: string };

/**
 * Whether `roles` may take `action` on an order in `status`: the wrong role is refused first (403
 * FORBIDDEN), then a transition that does not exist from this state (409 INVALID_STATE).
 */
export function decide(action: OrderAction, status: OrderStatus, roles: readonly OrderRole[]): Decision {
  const transition = transitions[action];
  if (!transition.roles.some((role) => roles.includes(role))) {
    return { ok: false, code: 'FORBIDDEN', detail: `Only the ${transition.roles.join(' or ')} may ${action} an order` };
  }
  if (!transition.from.includes(status)) {
    return { ok: false, code: 'INVALID_STATE', detail: `An order ${status} cannot be ${action}ed` };
  }
  return { ok: true, from: status, to: transition.to };
}

/** States from which an order no longer moves. */
export const finalStatuses: readonly OrderStatus[] = ['completed', 'cancelled', 'resolved'];
/** Orders that count against the customer's limit: published and not yet final. */
export const openStatuses: readonly OrderStatus[] = ['published', 'accepted', 'in_progress', 'delivered', 'disputed'];
