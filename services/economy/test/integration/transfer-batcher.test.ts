import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { AppError, type IdempotentResult, Registry } from '@necp/platform';
import { adapterLabel } from '@necp/platform/testing';
import { characterAccount } from '../../src/domain/movements.ts';
import { type TransferPoster, transferBatcher } from '../../src/flows/transfer-batcher.ts';
import type { TransferPosting } from '../../src/flows/transfer-posting.ts';
import { characterBalances } from '../../src/store/ledger-accounts.ts';
import type { EconomyTables } from '../../src/store/tables.ts';
import { type Economy, startEconomy } from '../support/harness.ts';
import { p2pPosting } from '../support/postings.ts';

type Player = Awaited<ReturnType<Economy['player']>>;

describe(`economy transfer batches on ${adapterLabel}`, () => {
  let economy: Economy;
  before(async () => {
    economy = await startEconomy();
  });
  afterEach(() => economy.assertAuditBalanced());
  after(() => economy.close());

  const available = async (who: Player) => {
    const wallet = await economy.call('GET', `/api/v1/economy/wallets/${who.characterId}`, who.token);
    return wallet.body.balances.find((entry: { asset: string }) => entry.asset === 'EDD').available as number;
  };
  const poster = (
    options: { concurrency: number; maxBatch: number; stallMs?: number },
    metrics = new Registry(),
  ): TransferPoster => transferBatcher(economy.db.typed<EconomyTables>(), { stallMs: 0, ...options, metrics });

  it('gives each transfer of one batch its own outcome, and a faulty one fails alone', async () => {
    const [alice, bob, carol] = [await economy.player(), await economy.player(), await economy.player()];
    const batcher = poster({ concurrency: 1, maxBatch: 100 });
    const replayKey = randomUUID();
    await batcher.post(p2pPosting(alice, bob, 100, replayKey));

    // Posted in one turn of the event loop with one batch in the database at a time: one batch.
    const outcomes = await Promise.allSettled([
      batcher.post(p2pPosting(alice, bob, 300)),
      batcher.post(p2pPosting(carol, bob, 5_000, randomUUID())),
      batcher.post(p2pPosting(alice, bob, 100, replayKey)),
      // The ledger refuses a zero amount (a CHECK constraint): the whole batch fails, then runs one by one.
      batcher.post(p2pPosting(carol, alice, 0)),
      batcher.post(p2pPosting(carol, alice, 250, randomUUID())),
    ]);
    const [posted, refused, replayed, faulty, alsoPosted] = outcomes;
    assert.equal(posted?.status, 'fulfilled');
    assert.equal((posted as PromiseFulfilledResult<IdempotentResult>).value.replayed, false);
    assert.equal(refused?.status, 'rejected');
    assert.equal(((refused as PromiseRejectedResult).reason as AppError).code, 'INSUFFICIENT_FUNDS');
    assert.equal((replayed as PromiseFulfilledResult<IdempotentResult>).value.replayed, true);
    assert.equal(faulty?.status, 'rejected');
    assert.ok(!((faulty as PromiseRejectedResult).reason instanceof AppError));
    assert.equal(alsoPosted?.status, 'fulfilled');

    assert.equal(await available(alice), 1000 - 100 - 300 + 250);
    assert.equal(await available(bob), 1000 + 100 + 300);
    assert.equal(await available(carol), 1000 - 250);
  });

  it('checks each debit in arrival order, seeing what earlier transfers of the batch moved', async () => {
    const [alice, bob, carol] = [await economy.player(), await economy.player(), await economy.player()];
    const batcher = poster({ concurrency: 1, maxBatch: 100 });
    // Bob has 1000: 1400 can leave only after Alice's 500 arrived, in the same batch.
    const [tooEarly, funding, enough] = await Promise.allSettled([
      batcher.post(p2pPosting(bob, carol, 1400, randomUUID())),
      batcher.post(p2pPosting(alice, bob, 500, randomUUID())),
      batcher.post(p2pPosting(bob, carol, 1400, randomUUID())),
    ]);
    assert.equal(((tooEarly as PromiseRejectedResult).reason as AppError).code, 'INSUFFICIENT_FUNDS');
    assert.equal(((tooEarly as PromiseRejectedResult).reason as AppError).extensions.available, 1000);
    assert.equal(funding?.status, 'fulfilled');
    assert.equal(enough?.status, 'fulfilled');
    assert.deepEqual([await available(alice), await available(bob), await available(carol)], [500, 100, 2400]);
  });

  it('opens the accounts of a newcomer on first use, also when racing batches open them at once', async () => {
    const [alice, bob] = [await economy.player(), await economy.player()];
    const newcomer = randomUUID();
    const batcher = poster({ concurrency: 2, maxBatch: 1 });
    const toNewcomer = (from: Player, amount: number): TransferPosting => {
      const { transfer, answer } = p2pPosting(from, from, amount);
      return { transfer: { ...transfer, credit: characterAccount(newcomer, 'EDD') }, answer };
    };
    const outcomes = await Promise.all([batcher.post(toNewcomer(alice, 70)), batcher.post(toNewcomer(bob, 30))]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.replayed),
      [false, false],
    );
    const balances = await characterBalances(economy.db.typed<EconomyTables>(), newcomer);
    assert.deepEqual(
      balances.filter((balance) => balance.asset === 'EDD').map((balance) => balance.balance),
      [100],
    );
  });

  it('posts a repeated Idempotency-Key once when its two requests race in two batches', async () => {
    const [alice, bob] = [await economy.player(), await economy.player()];
    // Two batches of one in the database at once: the second meets the first's client ref.
    const batcher = poster({ concurrency: 2, maxBatch: 1 });
    const key = randomUUID();
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => batcher.post(p2pPosting(alice, bob, 100, key))));
    assert.deepEqual(outcomes.map((outcome) => outcome.replayed).sort(), [false, true, true, true]);
    const ids = new Set(outcomes.map((outcome) => (outcome.body as { transferId: string }).transferId));
    assert.equal(ids.size, 1, 'every answer names the one transfer');
    assert.deepEqual([await available(alice), await available(bob)], [900, 1100]);
  });

  it('counts batch sizes and outcomes', async () => {
    const [alice, bob] = [await economy.player(), await economy.player()];
    const metrics = new Registry();
    const batcher = poster({ concurrency: 1, maxBatch: 100 }, metrics);
    const key = randomUUID();
    await batcher.post(p2pPosting(alice, bob, 10, key));
    await Promise.allSettled([
      batcher.post(p2pPosting(alice, bob, 20)),
      batcher.post(p2pPosting(alice, bob, 10, key)),
      batcher.post(p2pPosting(alice, bob, 5_000)),
    ]);
    const text = await metrics.metrics();
    assert.match(text, /economy_ledger_batch_transfers_count 2\n/);
    assert.match(text, /economy_ledger_batch_transfers_sum 4\n/);
    assert.match(text, /economy_ledger_transfers_total\{outcome="posted"\} 2\n/);
    assert.match(text, /economy_ledger_transfers_total\{outcome="replayed"\} 1\n/);
    assert.match(text, /economy_ledger_transfers_total\{outcome="refused"\} 1\n/);
    assert.match(text, /economy_ledger_queue_wait_seconds_count 4\n/);
    assert.match(text, /economy_ledger_batch_seconds_count 2\n/);
  });

  it('posts a key once when it comes twice in one turn, the second answer a replay', async () => {
    const [alice, bob] = [await economy.player(), await economy.player()];
    const batcher = poster({ concurrency: 1, maxBatch: 100 });
    const key = randomUUID();
    const [first, second] = await Promise.all([
      batcher.post(p2pPosting(alice, bob, 40, key)),
      batcher.post(p2pPosting(alice, bob, 40, key)),
    ]);
    assert.deepEqual([first.replayed, second.replayed], [false, true]);
    assert.deepEqual(second.body, first.body);
    assert.equal(await available(alice), 960);
  });

  it('never overdraws a hot account across racing batches', async () => {
    const hot = await economy.player();
    const receivers = [await economy.player(), await economy.player(), await economy.player()];
    const batcher = poster({ concurrency: 3, maxBatch: 7 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, index) =>
        batcher.post(p2pPosting(hot, receivers[index % receivers.length] as Player, 25, randomUUID())),
      ),
    );
    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 40);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') assert.equal((outcome.reason as AppError).code, 'INSUFFICIENT_FUNDS');
    }
    assert.equal(await available(hot), 0);
  });
});
