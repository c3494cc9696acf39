/**
 * The house's settlement credits go to a journal folded into its balance by a job, not to its row
 * (migrations/012_house_journal.sql): settlements, grants, transfers and folds raced at once lose and
 * make no eddie, the audit answers the same figures before and after a fold, and a fold moves each
 * journal row into the balance once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { foldHouseJournal } from '../../src/store/house-journal.ts';
import type { EconomyTables } from '../../src/store/tables.ts';
import { type Economy, startEconomy } from '../support/harness.ts';
import { houseBalance } from '../support/house.ts';

describe(`the house's journal on ${adapterLabel}`, () => {
  let economy: Economy;
  let admin: string;
  let social: string;
  before(async () => {
    // The job's own folds would come at their own time: the tests fold when they mean to.
    economy = await startEconomy({ ECONOMY_HOUSE_FOLD_MS: '60000' });
    admin = await economy.adminToken();
    social = await economy.issuer.token('service:social', ['service']);
  });
  afterEach(() => economy.assertAuditBalanced());
  after(() => economy.close());

  const holdings = async (characterId: string) => {
    const wallet = await economy.call('GET', `/api/v1/economy/wallets/${characterId}`, admin);
    const { available, held } = wallet.body.balances.find((entry: { asset: string }) => entry.asset === 'EDD');
    return { available, held };
  };
  const lock = async (orderId: string, payer: string, amount: number, commission: number) => {
    const locked = await economy.call('POST', '/api/v1/economy/escrows', social, {
      orderId,
      payerCharacterId: payer,
      amount,
      commission,
    });
    assert.equal(locked.status, 201, JSON.stringify(locked.body));
  };
  const fold = () => foldHouseJournal(economy.db.typed<EconomyTables>());
  const audit = async () => (await economy.call('GET', '/api/v1/economy/audit', admin)).body;

  it('journals a commission, answers the same audit after the fold, and folds each row once', async () => {
    const payer = await economy.player();
    const executor = await economy.player();
    await fold();
    const before = await houseBalance(economy.db, 'EDD');
    const orderId = randomUUID();
    await lock(orderId, payer.characterId, 200, 20);
    const released = await economy.call('POST', `/api/v1/economy/escrows/${orderId}/release`, social, {
      executorCharacterId: executor.characterId,
    });
    assert.equal(released.status, 200, JSON.stringify(released.body));
    // The house's row is untouched; its credit waits in the journal, and its transfer names the house.
    assert.deepEqual(await houseBalance(economy.db, 'EDD'), {
      column: before.column,
      unfolded: 20,
      total: before.total + 20,
    });
    const commission = await sql<{ credit_kind: string; amount: string }>`
      SELECT c.kind AS credit_kind, t.amount::text FROM mvp_core.ledger_transfers AS t
        JOIN mvp_core.ledger_accounts AS c ON c.id = t.credit_account_id
      WHERE t.client_ref = ${`escrow:${orderId}:commission`}`.execute(economy.db.kysely);
    assert.deepEqual(commission.rows, [{ credit_kind: 'house', amount: '20' }]);
    const unfoldedAudit = await audit();
    assert.equal(unfoldedAudit.balanced, true, JSON.stringify(unfoldedAudit));

    const folds = await Promise.all([fold(), fold()]);
    assert.equal(folds[0] + folds[1], 1);
    assert.deepEqual(await houseBalance(economy.db, 'EDD'), {
      column: before.column + 20,
      unfolded: 0,
      total: before.total + 20,
    });
    assert.deepEqual(await audit(), unfoldedAudit);
    assert.equal(await fold(), 0);
  });

  it('loses and makes no eddie when settlements, grants, transfers and folds race on the house', async () => {
    const customers = await Promise.all(Array.from({ length: 3 }, () => economy.player())); // 1,000 EDD each
    const executors = await Promise.all(Array.from({ length: 2 }, () => economy.player()));
    await fold();
    const houseBefore = await houseBalance(economy.db, 'EDD');
    const orders = Array.from({ length: 12 }, (_, index) => ({
      orderId: randomUUID(),
      payer: customers[index % customers.length] as { characterId: string; token: string },
      executor: executors[index % executors.length] as { characterId: string },
    }));
    for (const { orderId, payer } of orders) await lock(orderId, payer.characterId, 60, 6);
    const settle = ({ orderId, executor }: (typeof orders)[number], index: number) =>
      index % 3 === 2
        ? economy.call('POST', `/api/v1/economy/escrows/${orderId}/split`, social, {
            executorCharacterId: executor.characterId,
            executorSharePercent: 50,
          })
        : economy.call('POST', `/api/v1/economy/escrows/${orderId}/release`, social, {
            executorCharacterId: executor.characterId,
          });
    const grant = (characterId: string) =>
      economy.call(
        'POST',
        '/api/v1/economy/grants',
        admin,
        { characterId, asset: 'EDD', amount: 9, reason: 'race' },
        { 'idempotency-key': randomUUID() },
      );
    const transfer = (from: { token: string; characterId: string }, to: string) =>
      economy.call(
        'POST',
        '/api/v1/economy/transfers',
        from.token,
        { fromCharacterId: from.characterId, toCharacterId: to, asset: 'EDD', amount: 5 },
        { 'idempotency-key': randomUUID() },
      );
    const [settled, granted, sent] = await Promise.all([
      Promise.all(orders.map(settle)),
      Promise.all([...customers, ...executors, ...customers].map((party) => grant(party.characterId))),
      Promise.all(
        executors.map((executor, index) =>
          transfer(executor, (customers[index] as { characterId: string }).characterId),
        ),
      ),
      Promise.all(Array.from({ length: 4 }, () => fold())),
    ]);
    assert.ok(
      settled.every((answer) => answer.status === 200),
      JSON.stringify(settled.map((a) => a.body)),
    );
    assert.ok(
      granted.every((answer) => answer.status === 201),
      JSON.stringify(granted.map((a) => a.body)),
    );
    assert.ok(
      sent.every((answer) => answer.status === 201),
      JSON.stringify(sent.map((a) => a.body)),
    );

    // Every order paid its commission of 6 to the house; the house minted 8 grants of 9.
    const houseAfter = await houseBalance(economy.db, 'EDD');
    assert.equal(houseAfter.total, houseBefore.total + 12 * 6 - 8 * 9);
    // Releases pay the executor 60, splits 30 (and refund 30 to the payer).
    const paid = (executor: { characterId: string }) =>
      orders
        .map((order, index) => (order.executor === executor ? (index % 3 === 2 ? 30 : 60) : 0))
        .reduce<number>((sum, amount) => sum + amount, 0);
    for (const executor of executors) {
      assert.deepEqual(await holdings(executor.characterId), { available: 1000 + paid(executor) + 9 - 5, held: 0 });
    }
    for (const [index, customer] of customers.entries()) {
      const own = orders.filter((order) => order.payer === customer);
      const spent = own.reduce((sum, order) => sum + (orders.indexOf(order) % 3 === 2 ? 36 : 66), 0);
      const received = index < executors.length ? 5 : 0;
      assert.deepEqual(await holdings(customer.characterId), { available: 1000 - spent + 18 + received, held: 0 });
    }
    await fold();
    assert.deepEqual(await houseBalance(economy.db, 'EDD'), {
      column: houseAfter.total,
      unfolded: 0,
      total: houseAfter.total,
    });
  });
});
