/**
 * Every action of the order API against an order in every state, as each role: what the state
 * machine refuses is refused through the API with its status (403 wrong role, 409 INVALID_STATE)
 * and changes nothing; the legal moves are the journeys of orders.test.ts.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { decide, type OrderAction, type OrderRole, type OrderStatus } from '../../src/domain/order-machine.ts';
import { type Market, orderBody, type Player, startMarket } from '../support/harness.ts';

const base = '/api/v1/social/orders';
const actions: OrderAction[] = ['publish', 'accept', 'start', 'deliver', 'complete', 'cancel', 'dispute', 'resolve'];
/** The moves from a draft to each state. */
const paths: Record<OrderStatus, string[]> = {
  draft: [],
  published: ['publish'],
  accepted: ['publish', 'accept'],
  in_progress: ['publish', 'accept', 'start'],
  delivered: ['publish', 'accept', 'start', 'deliver'],
  completed: ['publish', 'accept', 'start', 'deliver', 'complete'],
  cancelled: ['publish', 'cancel'],
  disputed: ['publish', 'accept', 'start', 'dispute'],
  resolved: ['publish', 'accept', 'start', 'dispute', 'resolve'],
};

describe(`every illegal transition through the API on ${adapterLabel}`, () => {
  let market: Market;
  before(async () => {
    market = await startMarket();
  });
  afterEach(async () => {
    await market.pump();
    await market.assertAuditBalanced();
  });
  after(() => market.close());

  it('answers 403 to the wrong role and 409 to a move the state does not have, and changes nothing', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const outsider = await market.player();
    const arbiter = { token: await market.arbiter() };
    const who: [OrderRole | 'outsider', { token: string }][] = [
      ['customer', customer],
      ['executor', executor],
      ['outsider', outsider],
      ['arbiter', arbiter],
    ];
    const act = (orderId: string, applicationId: string, action: OrderAction, token: string) => {
      const path = action === 'accept' ? `applications/${applicationId}/accept` : action;
      const body =
        action === 'dispute'
          ? { reason: 'r' }
          : action === 'resolve'
            ? { executorSharePercent: 40, note: 'n' }
            : action === 'deliver'
              ? {}
              : undefined;
      return market.social.call('POST', `${base}/${orderId}/${path}`, token, body);
    };
    let checked = 0;
    for (const [state, moves] of Object.entries(paths) as [OrderStatus, string[]][]) {
      const created = await market.social.call(
        'POST',
        base,
        customer.token,
        orderBody(customer.characterId, { reward: 10 }),
      );
      const orderId = created.body.orderId as string;
      let applicationId = '00000000-0000-4000-8000-000000000000';
      for (const move of moves) {
        const actor: Player | { token: string } =
          move === 'start' || move === 'deliver' ? executor : move === 'resolve' ? arbiter : customer;
        if (move === 'accept') {
          const application = await market.social.call('POST', `${base}/${orderId}/applications`, executor.token, {
            characterId: executor.characterId,
          });
          applicationId = application.body.applicationId;
        }
        const answer = await act(orderId, applicationId, move as OrderAction, actor.token);
        assert.equal(answer.status, 200, `${move} on the way to ${state}: ${JSON.stringify(answer.body)}`);
      }
      if (state === 'published') {
        const application = await market.social.call('POST', `${base}/${orderId}/applications`, executor.token, {
          characterId: executor.characterId,
        });
        applicationId = application.body.applicationId;
      }
      const before = await market.social.call('GET', `${base}/${orderId}`, customer.token);
      assert.equal(before.body.status, state);
      for (const action of actions) {
        for (const [name, player] of who) {
          const roles: OrderRole[] = name === 'outsider' ? [] : [name];
          // An executor is only one once accepted.
          const held = name === 'executor' && ['draft', 'published', 'cancelled'].includes(state) ? [] : roles;
          const decision = decide(action, state, held);
          if (decision.ok) continue;
          const answer = await act(orderId, applicationId, action, player.token);
          const expected = decision.code === 'FORBIDDEN' ? 403 : 409;
          assert.equal(answer.status, expected, `${action} on ${state} as ${name}: ${JSON.stringify(answer.body)}`);
          if (expected === 409) assert.equal(answer.body.code, 'INVALID_STATE');
          checked += 1;
        }
      }
      const after = await market.social.call('GET', `${base}/${orderId}`, customer.token);
      assert.equal(after.body.status, state, `${state} moved`);
      assert.equal(after.body.history.length, before.body.history.length, `${state} gained history`);
    }
    assert.ok(checked > 200, `only ${checked} refusals checked`);
  });
});
