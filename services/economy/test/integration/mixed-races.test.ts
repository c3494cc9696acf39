import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { adapterLabel } from '@necp/platform/testing';
import { sql } from 'kysely';
import { type Economy, startEconomy } from '../support/harness.ts';

/**
 * One wallet raced through different paths of the ledger at once: P2P transfers go through the
 * batched ledger statement, escrow locks, refunds and crafting holds through single movements. Each
 * path is raced against itself in its own test file; here they meet on the same accounts.
 */
describe(`economy races across transfers, escrow and crafting on ${adapterLabel}`, () => {
  let economy: Economy;
  let admin: string;
  let social: string;
  before(async () => {
    economy = await startEconomy();
    admin = await economy.adminToken();
    social = await economy.issuer.token('service:social', ['service']);
  });
  afterEach(() => economy.assertAuditBalanced());
  after(() => economy.close());

  const holdings = async (characterId: string, asset = 'EDD') => {
    const wallet = await economy.call('GET', `/api/v1/economy/wallets/${characterId}`, admin);
    assert.equal(wallet.status, 200);
    const { available, held } = wallet.body.balances.find((entry: { asset: string }) => entry.asset === asset);
    return { available, held };
  };
  const transfer = (from: { token: string; characterId: string }, to: string, amount: number, asset = 'EDD') =>
    economy.call(
      'POST',
      '/api/v1/economy/transfers',
      from.token,
      { fromCharacterId: from.characterId, toCharacterId: to, asset, amount },
      { 'idempotency-key': randomUUID() },
    );
  /** Every answer is one of `allowed`: a race may refuse (422) but never fails (5xx) or answers otherwise. */
  const assertAnsweredOnly = (answers: { status: number }[], allowed: number[]) => {
    const statuses = answers.map((answer) => answer.status);
    assert.ok(
      statuses.every((status) => allowed.includes(status)),
      statuses.join(','),
    );
  };
  const okCount = (answers: { status: number }[], status: number) =>
    answers.filter((answer) => answer.status === status).length;

  it('never overdraws, loses or refuses wrongly when transfers race escrow locks, then escrow refunds', async () => {
    const customer = await economy.player(); // 1,000 EDD
    const receivers = await Promise.all(Array.from({ length: 4 }, () => economy.player()));
    const orders = Array.from({ length: 10 }, () => randomUUID());

    // 20 transfers of 40 and 10 locks of 100 (90 + 10 commission): 1,800 asked of 1,000.
    const first = await Promise.all([
      ...Array.from({ length: 20 }, (_, index) =>
        transfer(customer, (receivers[index % receivers.length] as { characterId: string }).characterId, 40),
      ),
      ...orders.map((orderId) =>
        economy.call('POST', '/api/v1/economy/escrows', social, {
          orderId,
          payerCharacterId: customer.characterId,
          amount: 90,
          commission: 10,
        }),
      ),
    ]);
    const sent = first.slice(0, 20);
    const locks = first.slice(20);
    assertAnsweredOnly(first, [201, 422]);
    const sentFirst = okCount(sent, 201);
    const locked = orders.filter((_, index) => (locks[index] as { status: number }).status === 201);
    const afterFirst = await holdings(customer.characterId);
    assert.deepEqual(afterFirst, { available: 1000 - 40 * sentFirst - 100 * locked.length, held: 100 * locked.length });
    // Nothing pays the customer meanwhile, so a refusal means the balance was really short.
    if (sentFirst < 20) assert.ok(afterFirst.available < 40, `a transfer was refused with ${afterFirst.available}`);
    if (locked.length < 10) assert.ok(afterFirst.available < 100, `a lock was refused with ${afterFirst.available}`);

    // Every lock refunded twice over, racing 20 more transfers that the refunds make possible.
    const second = await Promise.all([
      ...locked.flatMap((orderId) =>
        [1, 2].map(() => economy.call('POST', `/api/v1/economy/escrows/${orderId}/refund`, social, {})),
      ),
      ...Array.from({ length: 20 }, (_, index) =>
        transfer(customer, (receivers[index % receivers.length] as { characterId: string }).characterId, 40),
      ),
    ]);
    const refunds = second.slice(0, locked.length * 2);
    const sentAgain = second.slice(locked.length * 2);
    assert.ok(
      refunds.every((answer) => answer.status === 200 && answer.body.status === 'refunded'),
      JSON.stringify(refunds.map((answer) => answer.body)),
    );
    assertAnsweredOnly(sentAgain, [201, 422]);
    const sentTotal = sentFirst + okCount(sentAgain, 201);
    assert.deepEqual(await holdings(customer.characterId), { available: 1000 - 40 * sentTotal, held: 0 });
    let received = 0;
    for (const receiver of receivers) received += (await holdings(receiver.characterId)).available - 1000;
    assert.equal(received, 40 * sentTotal);
  });

  it('settles each escrow exactly once when release, refund and split race for it', async () => {
    const customer = await economy.player(); // 1,000 EDD
    const executor = await economy.player();
    const arbiter = await economy.issuer.token(randomUUID(), ['arbiter']);
    const orders = Array.from({ length: 4 }, () => randomUUID());
    for (const orderId of orders) {
      const lock = await economy.call('POST', '/api/v1/economy/escrows', social, {
        orderId,
        payerCharacterId: customer.characterId,
        amount: 200,
        commission: 10,
      });
      assert.equal(lock.status, 201, JSON.stringify(lock.body));
    }
    const settle = (orderId: string) => [
      economy.call('POST', `/api/v1/economy/escrows/${orderId}/release`, social, {
        executorCharacterId: executor.characterId,
      }),
      economy.call('POST', `/api/v1/economy/escrows/${orderId}/refund`, social, {}),
      economy.call('POST', `/api/v1/economy/escrows/${orderId}/split`, arbiter, {
        executorCharacterId: executor.characterId,
        executorSharePercent: 70,
      }),
    ];
    const answers = await Promise.all(orders.map((orderId) => Promise.all(settle(orderId))));
    let paidOut = 0;
    let refunded = 0;
    for (const [index, race] of answers.entries()) {
      assertAnsweredOnly(race, [200, 409]);
      const winners = race.filter((answer) => answer.status === 200);
      assert.equal(winners.length, 1, `order ${index}: ${JSON.stringify(race.map((answer) => answer.body))}`);
      assert.ok(race.every((answer) => answer.status === 200 || answer.body.code === 'INVALID_STATE'));
      const settled = winners[0]?.body;
      assert.equal(settled.executorAmount + settled.refundAmount + settled.commissionTaken, 210);
      paidOut += settled.executorAmount;
      refunded += settled.refundAmount;
      const escrow = await economy.call('GET', `/api/v1/economy/escrows/${orders[index]}`, admin);
      assert.equal(escrow.body.history.length, 2);
    }
    assert.deepEqual(await holdings(customer.characterId), { available: 1000 - 4 * 210 + refunded, held: 0 });
    assert.deepEqual(await holdings(executor.characterId), { available: 1000 + paidOut, held: 0 });
  });

  it('settles and grants at once on the same wallets and the house, every answer right and every eddie counted', async () => {
    // A settlement locks its payer, escrow and executor and then the house; a grant locks its
    // character and then the house: both take the house last, so these queue instead of deadlocking.
    const customers = [await economy.player(), await economy.player()]; // 1,000 EDD each
    const executor = await economy.player();
    const orders = Array.from({ length: 6 }, (_, index) => ({
      orderId: randomUUID(),
      payer: customers[index % 2] as { characterId: string },
    }));
    for (const { orderId, payer } of orders) {
      const lock = await economy.call('POST', '/api/v1/economy/escrows', social, {
        orderId,
        payerCharacterId: payer.characterId,
        amount: 100,
        commission: 10,
      });
      assert.equal(lock.status, 201, JSON.stringify(lock.body));
    }
    const grant = (characterId: string) =>
      economy.call(
        'POST',
        '/api/v1/economy/grants',
        admin,
        { characterId, asset: 'EDD', amount: 7, reason: 'race' },
        { 'idempotency-key': randomUUID() },
      );
    const answers = await Promise.all([
      ...orders.map(({ orderId }) =>
        economy.call('POST', `/api/v1/economy/escrows/${orderId}/release`, social, {
          executorCharacterId: executor.characterId,
        }),
      ),
      ...[executor, ...customers, executor, ...customers].map((party) => grant(party.characterId)),
    ]);
    assertAnsweredOnly(answers.slice(0, orders.length), [200]);
    assertAnsweredOnly(answers.slice(orders.length), [201]);
    assert.deepEqual(await holdings(executor.characterId), { available: 1000 + 6 * 100 + 2 * 7, held: 0 });
    for (const customer of customers) {
      assert.deepEqual(await holdings(customer.characterId), { available: 1000 - 3 * 110 + 2 * 7, held: 0 });
    }
  });

  it('keys a character or an order by its UUID in any letter case: one wallet, one escrow account', async () => {
    const payer = await economy.player();
    const payee = await economy.player();
    const sent = await transfer(payer, payee.characterId.toUpperCase(), 25);
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    assert.deepEqual(await holdings(payee.characterId), { available: 1025, held: 0 });
    assert.deepEqual(await holdings(payee.characterId.toUpperCase()), { available: 1025, held: 0 });
    const orderId = randomUUID();
    const locked = await economy.call('POST', '/api/v1/economy/escrows', social, {
      orderId: orderId.toUpperCase(),
      payerCharacterId: payer.characterId.toUpperCase(),
      amount: 100,
      commission: 5,
    });
    assert.equal(locked.status, 201, JSON.stringify(locked.body));
    const released = await economy.call('POST', `/api/v1/economy/escrows/${orderId}/release`, social, {
      executorCharacterId: payee.characterId.toUpperCase(),
    });
    assert.equal(released.status, 200, JSON.stringify(released.body));
    assert.deepEqual(await holdings(payer.characterId), { available: 1000 - 25 - 105, held: 0 });
    assert.deepEqual(await holdings(payee.characterId), { available: 1125, held: 0 });
    const upperCaseOwners = await sql<{ n: string }>`
      SELECT count(*) AS n FROM mvp_core.ledger_accounts WHERE owner_id <> lower(owner_id)`.execute(economy.db.kysely);
    assert.equal(Number(upperCaseOwners.rows[0]?.n), 0);
  });

  it('answers 422 to one Idempotency-Key sent to settle another order, settling nothing', async () => {
    const payer = await economy.player();
    const executor = await economy.player();
    const [first, second] = [randomUUID(), randomUUID()];
    for (const orderId of [first, second]) {
      const locked = await economy.call('POST', '/api/v1/economy/escrows', social, {
        orderId,
        payerCharacterId: payer.characterId,
        amount: 100,
        commission: 5,
      });
      assert.equal(locked.status, 201);
    }
    const key = { 'idempotency-key': randomUUID() };
    const release = (orderId: string, headers: Record<string, string>) =>
      economy.call(
        'POST',
        `/api/v1/economy/escrows/${orderId}/release`,
        social,
        { executorCharacterId: executor.characterId },
        headers,
      );
    assert.equal((await release(first, key)).status, 200);
    assert.equal((await release(first, key)).status, 200);
    const reused = await release(second, key);
    assert.equal(reused.status, 422, JSON.stringify(reused.body));
    assert.equal(reused.body.code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal((await economy.call('GET', `/api/v1/economy/escrows/${second}`, admin)).body.status, 'locked');
    assert.equal((await release(second, { 'idempotency-key': randomUUID() })).status, 200);
  });

  it('never creates or loses materials when crafting holds race transfers of the same material', async () => {
    const crafter = await economy.player(); // 2 chemicals; ricochet_rounds holds 1 chemicals and 2 metal
    const receiver = await economy.player();
    const answers = await Promise.all([
      ...Array.from({ length: 3 }, () =>
        economy.call('POST', '/api/v1/economy/crafting/jobs', crafter.token, {
          characterId: crafter.characterId,
          blueprintId: 'ricochet_rounds',
          workshopId: 'corpo_lab',
          quantity: 1,
        }),
      ),
      ...Array.from({ length: 4 }, () => transfer(crafter, receiver.characterId, 1, 'chemicals')),
    ]);
    const jobs = answers.slice(0, 3);
    const sent = answers.slice(3);
    assertAnsweredOnly(answers, [201, 422]);
    const holding = okCount(jobs, 201);
    const given = okCount(sent, 201);
    assert.equal(holding + given, 2, `${holding} jobs and ${given} transfers took the 2 chemicals`);
    assert.deepEqual(await holdings(crafter.characterId, 'chemicals'), { available: 0, held: holding });
    assert.deepEqual(await holdings(receiver.characterId, 'chemicals'), { available: 2 + given, held: 0 });
  });
});
