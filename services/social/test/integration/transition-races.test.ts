/**
 * Start, deliver, complete, publish's move and an application take no lock before they decide: the
 * order is read, then one change guarded by the status it was read in. These races prove the guards:
 * a transition racing itself moves the order once (one timeline line, one event, one payment), an
 * accept racing its applicant's withdrawal never leaves an order accepted with a withdrawn executor,
 * applications racing an accept never land after it, and a command
 * with an Idempotency-Key (the locked path) still answers a repeat with its first answer. An accept
 * without one is one statement that takes the order's row as it changes it: on PostgreSQL, a
 * transaction holding the row makes it wait, and its choice then sees what that transaction committed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { TopicPayloads } from '@necp/contracts';
import type { PlatformTables } from '@necp/platform';
import { adapterLabel, realDatabaseUrl, waitFor } from '@necp/platform/testing';
import { sql, type Transaction } from 'kysely';
import { Compile } from 'typebox/compile';
import { type Market, orderBody, type Player, startMarket } from '../support/harness.ts';

const base = '/api/v1/social/orders';
const lifecycleContract = Compile(TopicPayloads['social.orders.lifecycle']);

describe(`social transitions racing without a lock on ${adapterLabel}`, () => {
  let market: Market;
  before(async () => {
    market = await startMarket();
  });
  afterEach(async () => {
    await market.pump();
    await market.assertAuditBalanced();
  });
  after(() => market.close());

  const call = (method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>) =>
    market.social.call(method, path, token, body, headers);
  const step = (orderId: string, action: string, token: string, body?: unknown, headers?: Record<string, string>) =>
    call('POST', `${base}/${orderId}/${action}`, token, body, headers);
  const published = async (customer: Player) => {
    const created = await call('POST', base, customer.token, orderBody(customer.characterId));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const orderId = created.body.orderId as string;
    assert.equal((await step(orderId, 'publish', customer.token)).status, 200);
    return orderId;
  };
  const apply = async (orderId: string, applicant: Player) => {
    const answer = await call('POST', `${base}/${orderId}/applications`, applicant.token, {
      characterId: applicant.characterId,
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return answer.body.applicationId as string;
  };
  const lifecycleEvents = async (orderId: string) => {
    const { rows } = await sql<{ to_status: string }>`
      SELECT payload->'payload'->>'toStatus' AS to_status FROM mvp_meta.outbox
      WHERE aggregatetype = 'social.orders.lifecycle' AND aggregateid = ${orderId} ORDER BY seq`.execute(
      market.social.db.kysely,
    );
    return rows.map((row) => row.to_status);
  };
  /** Runs `count` copies of the step at once: one must win, the rest find the order moved (409). */
  const race = async (orderId: string, action: string, token: string, count: number, body?: unknown) => {
    const answers = await Promise.all(Array.from({ length: count }, () => step(orderId, action, token, body)));
    const won = answers.filter((answer) => answer.status === 200);
    assert.equal(won.length, 1, JSON.stringify(answers.map((answer) => answer.status)));
    assert.ok(answers.every((answer) => answer.status === 200 || answer.body.code === 'INVALID_STATE'));
    return won[0]?.body;
  };

  it('moves an order once when the same transition races itself: one line, one event, one payment', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const orderId = await published(customer);
    const applicationId = await apply(orderId, executor);
    await race(orderId, `applications/${applicationId}/accept`, customer.token, 4);
    assert.equal((await race(orderId, 'start', executor.token, 4)).status, 'in_progress');
    assert.equal((await race(orderId, 'deliver', executor.token, 4, { note: 'done' })).status, 'delivered');
    const completed = await race(orderId, 'complete', customer.token, 4);
    assert.equal(completed.status, 'completed');
    assert.equal(completed.applicationsCount, 1);

    assert.deepEqual(await lifecycleEvents(orderId), [
      'draft',
      'published',
      'accepted',
      'in_progress',
      'delivered',
      'completed',
    ]);
    const detail = await call('GET', `${base}/${orderId}`, customer.token);
    assert.deepEqual(
      detail.body.history
        .filter((entry: { kind: string }) => entry.kind === 'transition')
        .map((e: { toStatus: string }) => e.toStatus),
      ['draft', 'published', 'accepted', 'in_progress', 'delivered', 'completed'],
    );
    await market.pump();
    assert.deepEqual(await market.eddies(executor.characterId), { available: 1500, held: 0 });
    // The order's end and the scores it earned committed together: one completed order in each party's history.
    const ratings = await call('GET', `/api/v1/social/ratings/${executor.characterId}`, executor.token);
    assert.equal(ratings.body.executor.completed, 1);
    assert.ok(ratings.body.executor.lastOrderAt);
  });

  it('announces a transition taken without reading the order as one decided on the order read', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const journey = async (headers: () => Record<string, string> | undefined) => {
      const created = await call('POST', base, customer.token, orderBody(customer.characterId, { reward: 100 }));
      const orderId = created.body.orderId as string;
      assert.equal((await step(orderId, 'publish', customer.token)).status, 200);
      const applicationId = await apply(orderId, executor);
      assert.equal((await step(orderId, `applications/${applicationId}/accept`, customer.token)).status, 200);
      for (const [action, token, body] of [
        ['start', executor.token],
        ['deliver', executor.token, { note: 'done' }],
        ['complete', customer.token],
      ] as const) {
        assert.equal((await step(orderId, action, token, body, headers())).status, 200);
      }
      const { rows } = await sql<{ payload: { payload: Record<string, unknown> } }>`
        SELECT payload FROM mvp_meta.outbox
        WHERE aggregatetype = 'social.orders.lifecycle' AND aggregateid = ${orderId} ORDER BY seq`.execute(
        market.social.db.kysely,
      );
      return rows.map((row) => {
        assert.ok(lifecycleContract.Check(row.payload.payload), JSON.stringify(row.payload.payload));
        return { ...row.payload.payload, orderId: 'the order' };
      });
    };
    const blind = await journey(() => undefined);
    // With an Idempotency-Key each transition locks and reads the order first and builds its event from the row read.
    const read = await journey(() => ({ 'idempotency-key': randomUUID() }));
    assert.deepEqual(blind, read);
    assert.deepEqual(blind.at(-1), {
      orderId: 'the order',
      fromStatus: 'delivered',
      toStatus: 'completed',
      actorId: customer.accountId,
      customerCharacterId: customer.characterId,
      executorCharacterId: executor.characterId,
      orderType: 'combat',
      districtId: 'watson',
      reward: 100,
    });
  });

  it('never leaves an order accepted with an application its applicant withdrew in the race', async () => {
    for (let round = 0; round < 4; round++) {
      const customer = await market.player();
      const [first, second] = [await market.player(), await market.player()];
      const orderId = await published(customer);
      const firstApplication = await apply(orderId, first);
      const secondApplication = await apply(orderId, second);
      const [acceptFirst, withdrawFirst, acceptSecond] = await Promise.all([
        step(orderId, `applications/${firstApplication}/accept`, customer.token),
        step(orderId, `applications/${firstApplication}/withdraw`, first.token),
        step(orderId, `applications/${secondApplication}/accept`, customer.token),
      ]);
      const order = (await call('GET', `${base}/${orderId}`, customer.token)).body;
      const applications = (await call('GET', `${base}/${orderId}/applications`, customer.token)).body.items as {
        applicationId: string;
        characterId: string;
        status: string;
      }[];
      const status = (id: string) => applications.find((each) => each.applicationId === id)?.status;
      assert.equal(order.status, 'accepted');
      assert.equal([acceptFirst, acceptSecond].filter((answer) => answer.status === 200).length, 1);
      const chosen = applications.filter((each) => each.status === 'accepted');
      assert.equal(chosen.length, 1, JSON.stringify(applications));
      assert.equal(chosen[0]?.characterId, order.executorCharacterId);
      if (withdrawFirst.status === 200) {
        assert.equal(status(firstApplication), 'withdrawn');
        assert.equal(order.executorCharacterId, second.characterId);
      } else {
        assert.equal(withdrawFirst.body.code, 'INVALID_STATE');
        assert.notEqual(status(firstApplication), 'withdrawn');
      }
    }
  });

  it('never lands an application on an order that an accept racing it took out of published', async () => {
    for (let round = 0; round < 3; round++) {
      const customer = await market.player();
      const chosen = await market.player();
      const latecomers = await Promise.all(Array.from({ length: 3 }, () => market.player()));
      const orderId = await published(customer);
      const applicationId = await apply(orderId, chosen);
      const [accept, ...applies] = await Promise.all([
        step(orderId, `applications/${applicationId}/accept`, customer.token),
        ...latecomers.map((latecomer) =>
          call('POST', `${base}/${orderId}/applications`, latecomer.token, { characterId: latecomer.characterId }),
        ),
      ]);
      assert.equal(accept?.status, 200);
      assert.ok(applies.every((answer) => answer.status === 201 || answer.body.code === 'INVALID_STATE'));
      const items = (await call('GET', `${base}/${orderId}/applications`, customer.token)).body.items as {
        status: string;
      }[];
      // Whatever came in before the accept was rejected by it; nothing came in after.
      assert.deepEqual(items.map((item) => item.status).sort(), [
        'accepted',
        ...applies.filter((answer) => answer.status === 201).map(() => 'rejected'),
      ]);
    }
  });

  /**
   * Runs `holder` in a transaction on another connection and keeps it open while `send` is sent:
   * commits once PostgreSQL shows a statement waiting for a lock, and answers what `send` answered.
   */
  const whileHeld = async <T>(holder: (trx: Transaction<PlatformTables>) => Promise<void>, send: () => Promise<T>) => {
    const db = market.social.db.kysely;
    let holding!: () => void;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const transaction = db.transaction().execute(async (trx) => {
      await holder(trx);
      holding();
      await released;
    });
    await held;
    const answer = send();
    await waitFor('the step waiting for the held row', async () => {
      const { rows } = await sql<{ waiting: number }>`SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
      return (rows[0]?.waiting ?? 0) > 0 ? true : undefined;
    });
    release();
    await transaction;
    return answer;
  };
  const twoConnections = { skip: realDatabaseUrl === undefined ? 'PGlite has one connection' : false };
  const statusesOf = async (orderId: string, token: string) => {
    const items = (await call('GET', `${base}/${orderId}/applications`, token)).body.items as {
      applicationId: string;
      status: string;
    }[];
    return Object.fromEntries(items.map((item) => [item.applicationId, item.status]));
  };

  it(
    'makes an accept that waited for the order row reject the application committed meanwhile',
    twoConnections,
    async () => {
      const customer = await market.player();
      const [chosen, latecomer] = [await market.player(), await market.player()];
      const orderId = await published(customer);
      const applicationId = await apply(orderId, chosen);
      const lateId = randomUUID();
      // What an apply does: the order's row shared, then its application inserted.
      const accept = await whileHeld(
        async (trx) => {
          await sql`SELECT 1 FROM mvp_core.social_orders WHERE order_id = ${orderId}::uuid FOR SHARE`.execute(trx);
          await sql`INSERT INTO mvp_core.social_applications
          (application_id, order_id, character_id, account_id, status, created_at, updated_at)
          VALUES (${lateId}::uuid, ${orderId}::uuid, ${latecomer.characterId}::uuid, ${latecomer.accountId}::uuid,
            'submitted', now(), now())`.execute(trx);
        },
        () => step(orderId, `applications/${applicationId}/accept`, customer.token),
      );
      assert.equal(accept.status, 200, JSON.stringify(accept.body));
      assert.equal(accept.body.executorCharacterId, chosen.characterId);
      assert.deepEqual(await statusesOf(orderId, customer.token), {
        [applicationId]: 'accepted',
        [lateId]: 'rejected',
      });
    },
  );

  it(
    'refuses an accept that waited for the order row while its application was withdrawn',
    twoConnections,
    async () => {
      const customer = await market.player();
      const chosen = await market.player();
      const orderId = await published(customer);
      const applicationId = await apply(orderId, chosen);
      // What a withdrawal does: the order's row locked, then the application withdrawn.
      const accept = await whileHeld(
        async (trx) => {
          await sql`SELECT 1 FROM mvp_core.social_orders WHERE order_id = ${orderId}::uuid FOR UPDATE`.execute(trx);
          await sql`UPDATE mvp_core.social_applications SET status = 'withdrawn'
          WHERE application_id = ${applicationId}::uuid`.execute(trx);
        },
        () => step(orderId, `applications/${applicationId}/accept`, customer.token),
      );
      assert.equal(accept.status, 409, JSON.stringify(accept.body));
      assert.equal(accept.body.code, 'INVALID_STATE');
      assert.equal((await call('GET', `${base}/${orderId}`, customer.token)).body.status, 'published');
      assert.deepEqual(await statusesOf(orderId, customer.token), { [applicationId]: 'withdrawn' });
      assert.deepEqual(await lifecycleEvents(orderId), ['draft', 'published']);
    },
  );

  it('answers a repeated Idempotency-Key with its first answer, and moves the order once', async () => {
    const customer = await market.player();
    const executor = await market.player();
    const orderId = await published(customer);
    const applicationId = await apply(orderId, executor);
    const key = { 'idempotency-key': randomUUID() };
    const accepts = await Promise.all(
      Array.from({ length: 3 }, () =>
        step(orderId, `applications/${applicationId}/accept`, customer.token, undefined, key),
      ),
    );
    assert.ok(accepts.every((answer) => answer.status === 200));
    assert.ok(accepts.every((answer) => answer.body.updatedAt === accepts[0]?.body.updatedAt));
    const start = { 'idempotency-key': randomUUID() };
    const first = await step(orderId, 'start', executor.token, undefined, start);
    const again = await step(orderId, 'start', executor.token, undefined, start);
    assert.equal(first.status, 200);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal(
      (await step(orderId, 'start', executor.token, undefined, { 'idempotency-key': randomUUID() })).status,
      409,
    );
    assert.deepEqual(await lifecycleEvents(orderId), ['draft', 'published', 'accepted', 'in_progress']);
  });
});
