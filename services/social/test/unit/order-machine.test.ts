import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decide,
  type OrderAction,
  type OrderRole,
  type OrderStatus,
  OrderStatuses,
  transitions,
} from '../../src/domain/order-machine.ts';

/** DOMAIN.md's edges, written out by hand: the table must hold exactly these. */
const legal: [OrderAction, OrderStatus, OrderStatus, OrderRole[]][] = [
  ['publish', 'draft', 'published', ['customer']],
  ['accept', 'published', 'accepted', ['customer']],
  ['start', 'accepted', 'in_progress', ['executor']],
  ['deliver', 'in_progress', 'delivered', ['executor']],
  ['complete', 'delivered', 'completed', ['customer']],
  ['cancel', 'draft', 'cancelled', ['customer']],
  ['cancel', 'published', 'cancelled', ['customer']],
  ['cancel', 'accepted', 'cancelled', ['customer']],
  ['dispute', 'in_progress', 'disputed', ['customer', 'executor']],
  ['dispute', 'delivered', 'disputed', ['customer', 'executor']],
  ['resolve', 'disputed', 'resolved', ['arbiter']],
  ['expire', 'published', 'cancelled', ['system']],
  ['autoComplete', 'delivered', 'completed', ['system']],
];
const roles: OrderRole[] = ['customer', 'executor', 'arbiter', 'system'];

describe('the order state machine', () => {
  it('allows exactly the transitions of DOMAIN.md, each to its roles only', () => {
    for (const action of Object.keys(transitions) as OrderAction[]) {
      for (const status of OrderStatuses) {
        for (const role of roles) {
          const edge = legal.find(([a, from]) => a === action && from === status);
          const roleAllowed = legal.some(([a, , , allowed]) => a === action && allowed.includes(role));
          const decision = decide(action, status, [role]);
          const label = `${action} from ${status} as ${role}`;
          if (!roleAllowed) {
            assert.deepEqual([decision.ok, !decision.ok && decision.code], [false, 'FORBIDDEN'], label);
          } else if (!edge) {
            assert.deepEqual([decision.ok, !decision.ok && decision.code], [false, 'INVALID_STATE'], label);
          } else {
            assert.deepEqual(decision, { ok: true, from: status, to: edge[2] }, label);
          }
        }
      }
    }
  });

  it('reaches no state from a final one', () => {
    for (const status of ['completed', 'cancelled', 'resolved'] as const) {
      for (const action of Object.keys(transitions) as OrderAction[]) {
        assert.equal(decide(action, status, roles).ok, false, `${action} from ${status}`);
      }
    }
  });

  it('refuses a caller with no role in the order as the wrong role', () => {
    assert.deepEqual(decide('start', 'accepted', []).ok, false);
    assert.equal((decide('start', 'accepted', []) as { code: string }).code, 'FORBIDDEN');
  });
});
