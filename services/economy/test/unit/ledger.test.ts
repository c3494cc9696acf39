import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startingGrants } from '../../src/domain/catalogue.ts';
import { type AccountState, applyLegs, LedgerRefusal } from '../../src/domain/ledger.ts';

const accounts = (...states: Omit<AccountState, 'asset' | 'ownerId'>[]) =>
  new Map(states.map((state) => [state.id, { ...state, asset: 'EDD', ownerId: `o${state.id}` }]));

describe('ledger rules', () => {
  it('posts, holds, posts part of a hold and voids, keeping the sum', () => {
    const start = accounts(
      { id: 1, kind: 'house', balance: 0, held: 0 },
      { id: 2, kind: 'character', balance: 0, held: 0 },
      { id: 3, kind: 'escrow', balance: 0, held: 0 },
    );
    const minted = applyLegs(start, [{ type: 'posted', debitAccountId: 1, creditAccountId: 2, amount: 100 }]);
    assert.equal(minted.get(1)?.balance, -100);
    const pending = { id: 'p', debitAccountId: 2, creditAccountId: 3, asset: 'EDD', amount: 60 };
    const held = applyLegs(minted, [{ type: 'pending', debitAccountId: 2, creditAccountId: 3, amount: 60 }]);
    assert.deepEqual([held.get(2)?.balance, held.get(2)?.held], [100, 60]);
    const posted = applyLegs(held, [{ type: 'post', pending, amount: 45 }]);
    assert.deepEqual([posted.get(2)?.balance, posted.get(2)?.held, posted.get(3)?.balance], [55, 0, 45]);
    const voided = applyLegs(held, [{ type: 'void', pending }]);
    assert.deepEqual([voided.get(2)?.balance, voided.get(2)?.held], [100, 0]);
    for (const state of [minted, held, posted, voided]) {
      assert.equal(
        [...state.values()].reduce((sum, account) => sum + account.balance, 0),
        0,
      );
    }
    assert.equal(start.get(1)?.balance, 0, 'the snapshot is not changed');
  });

  it('refuses to spend held or missing value, but lets the house go negative', () => {
    const start = accounts(
      { id: 1, kind: 'character', balance: 50, held: 20 },
      { id: 2, kind: 'character', balance: 0, held: 0 },
    );
    assert.throws(
      () => applyLegs(start, [{ type: 'posted', debitAccountId: 1, creditAccountId: 2, amount: 31 }]),
      (error: unknown) => error instanceof LedgerRefusal && error.available === 30 && error.required === 31,
    );
    assert.throws(
      () => applyLegs(start, [{ type: 'pending', debitAccountId: 1, creditAccountId: 2, amount: 31 }]),
      LedgerRefusal,
    );
    assert.throws(
      () => applyLegs(start, [{ type: 'posted', debitAccountId: 1, creditAccountId: 2, amount: 0 }]),
      RangeError,
    );
    assert.throws(
      () => applyLegs(start, [{ type: 'posted', debitAccountId: 1, creditAccountId: 1, amount: 1 }]),
      RangeError,
    );
    const pending = { id: 'p', debitAccountId: 1, creditAccountId: 2, asset: 'EDD', amount: 20 };
    assert.throws(() => applyLegs(start, [{ type: 'post', pending, amount: 21 }]), RangeError);
  });

  it('refuses a whole movement when its second leg fails', () => {
    const start = accounts(
      { id: 1, kind: 'character', balance: 10, held: 0 },
      { id: 2, kind: 'character', balance: 0, held: 0 },
    );
    assert.throws(() =>
      applyLegs(start, [
        { type: 'posted', debitAccountId: 1, creditAccountId: 2, amount: 10 },
        { type: 'posted', debitAccountId: 1, creditAccountId: 2, amount: 1 },
      ]),
    );
    assert.equal(start.get(1)?.balance, 10);
  });

  it('grants the starting kit by origin with the shared materials', () => {
    assert.deepEqual(startingGrants('nomad').slice(0, 2), [
      { asset: 'EDD', amount: 1500 },
      { asset: 'metal', amount: 6 },
    ]);
    assert.equal(startingGrants('unknown_origin')[0]?.amount, 1000);
    assert.equal(startingGrants('corpo').length, 6);
  });
});
