/**
 * Posted transfers go to the database one batch at a time, so that the ones arriving meanwhile
 * gather into the next batch; a batch stalled on a row lock that another transaction holds lets
 * the next one join it after `stallMs`. Only a server with concurrent connections can hold that
 * lock while the batcher runs.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { Registry } from '@necp/platform';
import { characterAccount } from '../../src/domain/movements.ts';
import { transferBatcher } from '../../src/flows/transfer-batcher.ts';
import type { EconomyTables } from '../../src/store/tables.ts';
import { holdLedgerAccount } from '../support/account-lock.ts';
import { type Economy, startEconomy } from '../support/harness.ts';
import { type Party, p2pPosting } from '../support/postings.ts';

describe('economy transfer batches while one is stalled, on real PostgreSQL', () => {
  let economy: Economy;
  before(async () => {
    economy = await startEconomy();
    assert.equal(economy.db.kind, 'postgres', 'this test needs DATABASE_URL');
  });
  afterEach(() => economy.assertAuditBalanced());
  after(() => economy.close());

  const setUp = async (stallMs: number) => {
    const [alice, bob, carol, dave] = [
      await economy.player(),
      await economy.player(),
      await economy.player(),
      await economy.player(),
    ];
    const metrics = new Registry();
    const batcher = transferBatcher(economy.db.typed<EconomyTables>(), {
      concurrency: 4,
      maxBatch: 100,
      stallMs,
      metrics,
    });
    const settled = new Set<number>();
    const post = (index: number, from: Party, to: Party) =>
      batcher.post(p2pPosting(from, to, 10)).finally(() => settled.add(index));
    const batches = async () =>
      Number(/economy_ledger_batch_transfers_count (\d+)/.exec(await metrics.metrics())?.[1] ?? Number.NaN);
    return { alice, bob, carol, dave, post, settled, batches };
  };

  it('keeps the next transfers waiting for the running batch, then posts them as one batch', async () => {
    const { alice, bob, carol, dave, post, settled, batches } = await setUp(60_000);
    const release = await holdLedgerAccount(economy.db, characterAccount(alice.characterId, 'EDD'));
    const first = post(0, alice, bob);
    await sleep(50); // the first batch is in the database, waiting for alice's account
    const later: Promise<unknown>[] = [];
    for (let index = 1; index <= 5; index++) {
      later.push(post(index, carol, dave));
      await nextTurn(); // each in a turn of its own: with no one-at-a-time rule each would leave alone
    }
    await sleep(300);
    assert.deepEqual([...settled], [], 'nothing settles while the running batch waits');
    await release();
    await Promise.all([first, ...later]);
    assert.equal(await batches(), 2, 'the five that waited went as one batch');
  });

  it('lets the next batch join a stalled one after stallMs', async () => {
    const { alice, bob, carol, dave, post, settled, batches } = await setUp(100);
    const release = await holdLedgerAccount(economy.db, characterAccount(alice.characterId, 'EDD'));
    // The first batch leaves after this moment, so no other may leave within 100 ms of it.
    const firstPosted = performance.now();
    const first = post(0, alice, bob);
    await sleep(20);
    await post(1, carol, dave);
    const elapsed = performance.now() - firstPosted;
    assert.ok(elapsed >= 99, `the second batch waited for the stall time (${elapsed.toFixed(0)} ms after the first)`);
    assert.deepEqual([...settled], [1], 'the stalled transfer is still waiting for its lock');
    await release();
    await first;
    assert.equal(await batches(), 2);
  });
});
