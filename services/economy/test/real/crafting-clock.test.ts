/**
 * The crafting scheduler's clock when a tick is slow: completing a due job waits on a house
 * account that another connection holds (another replica's work), and the queued job that then
 * takes the freed slot starts at the time it really starts. Only a server with concurrent
 * connections can hold that lock while the scheduler runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { houseAccount } from '../../src/domain/movements.ts';
import { holdLedgerAccount } from '../support/account-lock.ts';
import { type Economy, startEconomy } from '../support/harness.ts';

// One game minute per wall second: ricochet_rounds (60 s) takes 1 s.
const TIME_SCALE = '60';

describe('the crafting scheduler after a slow completion, on real PostgreSQL', () => {
  let economy: Economy;
  let admin: string;
  before(async () => {
    process.env.ECONOMY_CRAFTING_TICK_MS = '50';
    economy = await startEconomy({ TIME_SCALE });
    assert.equal(economy.db.kind, 'postgres', 'this test needs DATABASE_URL');
    admin = await economy.adminToken();
  });
  after(() => economy.close());

  it('starts the next queued job when the slot frees, not when the tick began', async () => {
    const me = await economy.player();
    for (const [asset, amount] of [
      ['metal', 4],
      ['chemicals', 2],
    ] as const) {
      const grant = await economy.call('POST', '/api/v1/economy/grants', admin, {
        characterId: me.characterId,
        asset,
        amount,
        reason: 'test stock',
      });
      assert.equal(grant.status, 201, JSON.stringify(grant.body));
    }
    const craft = () =>
      economy.call('POST', '/api/v1/economy/crafting/jobs', me.token, {
        characterId: me.characterId,
        blueprintId: 'ricochet_rounds',
        workshopId: 'bunker_forge',
        quantity: 1,
      });
    const running = await craft();
    assert.equal(running.body.status, 'processing', JSON.stringify(running.body));
    const queued = await craft();
    assert.equal(queued.body.status, 'queued', JSON.stringify(queued.body));
    const job = async (jobId: string) =>
      (await economy.call('GET', `/api/v1/economy/crafting/jobs/${jobId}`, admin)).body;

    // The running job falls due while its completion (which burns metal to the house) waits.
    const releaseHouse = await holdLedgerAccount(economy.db, houseAccount('metal'));
    await sleep(Date.parse(running.body.eta) - Date.now() + 1_000);
    assert.equal((await job(running.body.jobId)).status, 'processing', 'its completion is still waiting');
    const releasedAt = Date.now();
    await releaseHouse();

    const deadline = Date.now() + 5_000;
    let next = await job(queued.body.jobId);
    while (next.status === 'queued' && Date.now() < deadline) {
      await sleep(20);
      next = await job(queued.body.jobId);
    }
    assert.equal((await job(running.body.jobId)).status, 'completed');
    assert.equal(next.status, 'processing');
    assert.ok(
      Date.parse(next.startedAt) >= releasedAt,
      `started at ${next.startedAt}, before the slot freed at ${new Date(releasedAt).toISOString()}`,
    );
    await economy.assertAuditBalanced();
  });
});
