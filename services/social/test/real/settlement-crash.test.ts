/**
 * A crash between an order's transition and its settlement, for real: social-service and
 * economy-service each run in a process of their own on a fresh PostgreSQL database, with the
 * events on the real Kafka broker. Social is SIGKILLed after completing orders whose events it had
 * not yet sent; economy is SIGKILLed while it settles them. New processes on the same databases pay
 * every executor exactly once, and the ledger balances throughout.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase } from '@necp/platform';
import {
  callHttp,
  createFreshDatabase,
  type FreshDatabase,
  type ServiceProcess,
  startServiceProcess,
  startTestIssuer,
  type TestIssuer,
} from '@necp/platform/testing';
import { sql } from 'kysely';
import { orderBody } from '../support/harness.ts';

const socialMain = new URL('../../src/main.ts', import.meta.url).pathname;
const economyMain = new URL('../../../economy/src/main.ts', import.meta.url).pathname;
const ORDERS = 8;
const REWARD = 300;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('social and economy killed between an order transition and its settlement (real PostgreSQL, Kafka, processes)', () => {
  let socialDb: FreshDatabase;
  let economyDb: FreshDatabase;
  let issuer: TestIssuer;
  const running: ServiceProcess[] = [];
  const secrets = { SOCIAL_CLIENT_SECRET: randomUUID(), ECONOMY_CLIENT_SECRET: randomUUID() };
  before(async () => {
    assert.ok(process.env.KAFKA_BROKERS, 'this test needs KAFKA_BROKERS');
    socialDb = await createFreshDatabase();
    economyDb = await createFreshDatabase();
    assert.ok(socialDb.url && economyDb.url, 'this test needs DATABASE_URL');
    issuer = await startTestIssuer();
  });
  after(async () => {
    for (const each of running) {
      if (each.child.exitCode === null && each.child.signalCode === null) each.child.kill('SIGTERM');
      await each.exited;
    }
    await issuer?.close();
    await socialDb?.drop();
    await economyDb?.drop();
  });

  const envFor = (databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...secrets,
      DATABASE_URL: databaseUrl,
      AUTH_URL: issuer.url,
      AUTH_ISSUER_URL: issuer.url,
      CHARACTER_URL: issuer.url,
      SOCIAL_URL: issuer.url,
      OUTBOX_POLL_INTERVAL_MS: '100',
      ...extra,
    };
    // A memory cache of its own: nothing else shared.
    for (const name of ['REDIS_URL', 'OIDC_ISSUER']) delete env[name];
    return env;
  };
  const startEconomy = async () => {
    const economy = await startServiceProcess('economy', economyMain, envFor(economyDb.url as string));
    running.push(economy);
    return economy;
  };
  const startSocial = async (economy: ServiceProcess, extra: Record<string, string> = {}) => {
    const social = await startServiceProcess(
      'social',
      socialMain,
      envFor(socialDb.url as string, { ECONOMY_URL: economy.base, ...extra }),
    );
    running.push(social);
    return social;
  };

  // Each start joins Kafka consumer groups; after a SIGKILL the group waits out the dead member's session (30 s).
  it('pays every executor exactly once through both crashes', { timeout: 400_000 }, async (t) => {
    const started = Date.now();
    const mark = (what: string) => t.diagnostic(`${what} after ${Date.now() - started} ms`);
    let economy = await startEconomy();
    // The first social sends no event at all: its crash comes after the transitions, before any settlement.
    const social = await startSocial(economy, { OUTBOX_RELAY: 'off' });
    const admin = await issuer.token(randomUUID(), ['admin']);
    const newPlayer = async (eddies: number) => {
      const accountId = randomUUID();
      const characterId = randomUUID();
      issuer.remoteOwners.set(characterId, accountId);
      const grant = await callHttp(economy.base, 'POST', '/api/v1/economy/grants', {
        token: admin,
        body: {
          characterId,
          asset: 'EDD',
          amount: eddies,
          reason: 'crash test',
        },
      });
      assert.equal(grant.status, 201, JSON.stringify(grant.body));
      return { characterId, token: await issuer.token(accountId) };
    };
    const customer = await newPlayer(10_000);
    const executors = await Promise.all(Array.from({ length: ORDERS }, () => newPlayer(1)));
    const orders: string[] = [];
    for (const executor of executors) {
      const act = async (token: string, path: string, body?: unknown) => {
        const answer = await callHttp(social.base, 'POST', `/api/v1/social/orders${path}`, { token, body });
        assert.ok(answer.status < 300, `${path}: ${JSON.stringify(answer.body)}`);
        return answer.body;
      };
      const created = await act(customer.token, '', orderBody(customer.characterId, { reward: REWARD }));
      const orderId = created.orderId as string;
      await act(customer.token, `/${orderId}/publish`);
      const application = await act(executor.token, `/${orderId}/applications`, { characterId: executor.characterId });
      await act(customer.token, `/${orderId}/applications/${application.applicationId}/accept`);
      await act(executor.token, `/${orderId}/start`);
      await act(executor.token, `/${orderId}/deliver`, {});
      await act(customer.token, `/${orderId}/complete`);
      orders.push(orderId);
    }
    await social.crash();
    mark('orders completed, social crashed');

    const wallet = async (characterId: string) => {
      const answer = await callHttp(economy.base, 'GET', `/api/v1/economy/wallets/${characterId}`, { token: admin });
      const { available, held } = answer.body.balances.find((entry: { asset: string }) => entry.asset === 'EDD');
      return { available, held };
    };
    const escrow = async (orderId: string) =>
      (await callHttp(economy.base, 'GET', `/api/v1/economy/escrows/${orderId}`, { token: admin })).body;
    // While economy is down, its table says what it had settled.
    const economyTables = await createDatabase({
      databaseUrl: economyDb.url as string,
      dataDir: 'memory://',
      poolSize: 1,
    });
    const escrowOnDisk = async (orderId: string) =>
      (
        await sql<{ status: string }>`SELECT status FROM mvp_core.escrows WHERE order_id = ${orderId}`.execute(
          economyTables.kysely,
        )
      ).rows[0]?.status;
    const audit = async () => (await callHttp(economy.base, 'GET', '/api/v1/economy/audit', { token: admin })).body;
    // Social is down with every order completed; economy heard of none: every escrow is still locked.
    for (const orderId of orders) assert.equal((await escrow(orderId)).status, 'locked');
    assert.equal((await audit()).balanced, true);

    // A new social sends the events it had written; economy is killed as soon as it settled the first.
    await startSocial(economy);
    mark('social restarted');
    await until('a first settlement', async () =>
      (await Promise.all(orders.map(escrow))).some((each) => each.status === 'released') ? true : undefined,
    );
    await economy.crash();
    mark('economy crashed');
    const settledBeforeCrash = (await Promise.all(orders.map(escrowOnDisk))).filter((status) => status !== 'locked');
    t.diagnostic(`${settledBeforeCrash.length} of ${ORDERS} orders were settled when economy died`);
    economy = await startEconomy();
    mark('economy restarted');
    assert.equal((await audit()).balanced, true);

    // The new economy takes the rest from the group's committed offsets (and some again): each is paid once.
    await until('every settlement', async () =>
      (await Promise.all(orders.map(escrow))).every((each) => each.status === 'released') ? true : undefined,
    );
    // Time for any redelivery to land before the balances are read.
    await sleep(2_000);
    for (const executor of executors)
      assert.deepEqual(await wallet(executor.characterId), { available: 1 + REWARD, held: 0 });
    // The customer paid each reward and its commission (lower as its tier rose with each order), once.
    const settledEscrows = await Promise.all(orders.map(escrow));
    const paid = settledEscrows.reduce((sum, each) => sum + each.amount + each.commission, 0);
    assert.ok(settledEscrows.every((each) => each.amount === REWARD && each.commission <= REWARD * 0.05));
    assert.deepEqual(await wallet(customer.characterId), { available: 10_000 - paid, held: 0 });
    for (const orderId of orders) {
      const settled = await escrow(orderId);
      assert.deepEqual(
        settled.history.map((entry: { status: string }) => entry.status),
        ['locked', 'released'],
        orderId,
      );
    }
    assert.equal((await audit()).balanced, true);
    await economyTables.close();
  });
});
