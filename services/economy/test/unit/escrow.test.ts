import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settle, settlementFor } from '../../src/domain/escrow.ts';

describe('escrow outcomes', () => {
  const escrow = { amount: 1000, commission: 50 };
  it('releases the reward to the executor and the commission to the house', () => {
    assert.deepEqual(settle(escrow, { kind: 'release' }), {
      status: 'released',
      executorAmount: 1000,
      refundAmount: 0,
      commissionTaken: 50,
    });
  });
  it('refunds all before accept, and all but the executor cut after accept', () => {
    assert.equal(settle(escrow, { kind: 'refund', executorPaid: false }).refundAmount, 1050);
    assert.deepEqual(settle({ amount: 999, commission: 49 }, { kind: 'refund', executorPaid: true }), {
      status: 'refunded',
      executorAmount: 99,
      refundAmount: 949,
      commissionTaken: 0,
    });
  });
  it('splits rounding the executor share down', () => {
    const outcome = settle({ amount: 333, commission: 16 }, { kind: 'split', executorSharePercent: 70 });
    assert.deepEqual([outcome.executorAmount, outcome.refundAmount, outcome.commissionTaken], [233, 100, 16]);
    assert.throws(() => settle(escrow, { kind: 'split', executorSharePercent: 101 }), RangeError);
  });
  it('maps order transitions to settlements', () => {
    const base = { executorCharacterId: 'e' };
    assert.equal(
      settlementFor({ ...base, fromStatus: 'delivered', toStatus: 'completed' })?.settlement.kind,
      'release',
    );
    assert.deepEqual(settlementFor({ ...base, fromStatus: 'accepted', toStatus: 'cancelled' })?.settlement, {
      kind: 'refund',
      executorPaid: true,
    });
    assert.deepEqual(settlementFor({ executorCharacterId: null, fromStatus: 'published', toStatus: 'cancelled' }), {
      settlement: { kind: 'refund', executorPaid: false },
      executor: null,
    });
    assert.equal(settlementFor({ ...base, fromStatus: 'disputed', toStatus: 'resolved' }), undefined);
    assert.equal(settlementFor({ ...base, fromStatus: 'accepted', toStatus: 'in_progress' }), undefined);
  });
});
