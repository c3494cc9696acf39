/**
 * A settlement does not wait on the house's row: another connection holds its lock (a grant, a
 * crafting burn, another replica's fold) while a release pays its commission into the house's journal;
 * the fold then waits for that lock and folds the commission once. Only a server with concurrent
 * connections can hold that lock while the settlement runs.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { houseAccount } from '../../src/domain/movements.ts';
import { foldHouseJournal } from '../../src/store/house-journal.ts';
import type { EconomyTables } from '../../src/store/tables.ts';
import { holdLedgerAccount } from '../support/account-lock.ts';
import { type Economy, startEconomy } from '../support/harness.ts';
import { houseBalance } from '../support/house.ts';

describe('a settlement while the house row is locked, on real PostgreSQL', () => {
  let economy: Economy;
  before(async () => {
    economy = await startEconomy({ ECONOMY_HOUSE_FOLD_MS: '60000' });
    assert.equal(economy.db.kind, 'postgres', 'this test needs DATABASE_URL');
  });
  after(() => economy.close());

  it('releases without the house lock, and the fold waits for it', async () => {
    const social = await economy.issuer.token('service:social', ['service']);
    const payer = await economy.player();
    const executor = await economy.player();
    const orderId = randomUUID();
    const locked = await economy.call('POST', '/api/v1/economy/escrows', social, {
      orderId,
      payerCharacterId: payer.characterId,
      amount: 100,
      commission: 10,
    });
    assert.equal(locked.status, 201, JSON.stringify(locked.body));
    const fold = () => foldHouseJournal(economy.db.typed<EconomyTables>());
    await fold();
    const before = await houseBalance(economy.db, 'EDD');

    const release = await holdLedgerAccount(economy.db, houseAccount('EDD'));
    let folded: Promise<number> | undefined;
    try {
      const released = await economy.call('POST', `/api/v1/economy/escrows/${orderId}/release`, social, {
        executorCharacterId: executor.characterId,
      });
      assert.equal(released.status, 200, JSON.stringify(released.body));
      assert.equal((await houseBalance(economy.db, 'EDD')).unfolded, 10);
      folded = fold();
    } finally {
      await release();
    }
    assert.equal(await folded, 1);
    assert.deepEqual(await houseBalance(economy.db, 'EDD'), {
      column: before.column + 10,
      unfolded: 0,
      total: before.total + 10,
    });
    await economy.assertAuditBalanced();
  });
});
