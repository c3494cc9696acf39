/**
 * A crash between a crafting job's hold and its post, for real: economy-service runs in a child
 * process on a fresh PostgreSQL database and is SIGKILLed while the job runs; new instances on the
 * same database complete the job exactly once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase, type SqlDatabase } from '@necp/platform';
import {
  callHttp,
  createFreshDatabase,
  type FreshDatabase,
  type ServiceProcess,
  startServiceProcess,
} from '@necp/platform/testing';
import { sql } from 'kysely';
import { auditLedger } from '../../src/flows/audit.ts';
import type { EconomyTables } from '../../src/store/tables.ts';
import { type Issuer, startIssuer } from '../support/harness.ts';

const main = new URL('../../src/main.ts', import.meta.url).pathname;
// ricochet_rounds is 60 game seconds: 3 s of wall time at this scale, long enough to kill the
// process while the job runs, short enough to be due soon after.
const TIME_SCALE = '20';

/** economy-service in a process of its own: the database, the stand-in issuer, nothing shared else. */
function startInstance(databaseUrl: string, issuer: Issuer, clientSecret: string): Promise<ServiceProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AUTH_URL: issuer.url,
    AUTH_ISSUER_URL: issuer.url,
    CHARACTER_URL: issuer.url,
    ECONOMY_CLIENT_SECRET: clientSecret,
    TIME_SCALE,
    ECONOMY_CRAFTING_TICK_MS: '100',
  };
  // The in-process bus and a memory cache: a shared broker would hand this process other tests' events.
  for (const name of ['KAFKA_BROKERS', 'REDIS_URL', 'OIDC_ISSUER']) delete env[name];
  return startServiceProcess('economy', main, env);
}

describe('economy-service killed between a crafting hold and its post (real PostgreSQL, real processes)', () => {
  let database: FreshDatabase;
  let issuer: Issuer;
  let db: SqlDatabase;
  const running: ServiceProcess[] = [];
  before(async () => {
    database = await createFreshDatabase();
    assert.ok(database.url, 'this test needs DATABASE_URL');
    issuer = await startIssuer();
  });
  after(async () => {
    for (const instance of running) {
      if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill('SIGTERM');
      await instance.exited;
    }
    await db?.close();
    await issuer.close();
    await database.drop();
  });

  it('leaves the ledger balanced and the hold pending; a new instance completes the job exactly once', async () => {
    const url = database.url as string;
    const secret = randomUUID() + randomUUID();
    const first = await startInstance(url, issuer, secret);
    running.push(first);
    db = await createDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 2 });
    const typed = db.typed<EconomyTables>();

    // A character character-service knows, with exactly the materials of one job.
    const accountId = randomUUID();
    const characterId = randomUUID();
    issuer.remoteOwners.set(characterId, accountId);
    const player = await issuer.token(accountId);
    const admin = await issuer.token(randomUUID(), ['admin']);
    for (const [asset, amount] of [
      ['metal', 2],
      ['chemicals', 1],
    ] as const) {
      const grant = await callHttp(first.base, 'POST', '/api/v1/economy/grants', {
        token: admin,
        body: {
          characterId,
          asset,
          amount,
          reason: 'crash test stock',
        },
      });
      assert.equal(grant.status, 201, JSON.stringify(grant.body));
    }
    const created = await callHttp(first.base, 'POST', '/api/v1/economy/crafting/jobs', {
      token: player,
      body: {
        characterId,
        blueprintId: 'ricochet_rounds',
        workshopId: 'street_garage',
        quantity: 1,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'processing');
    const jobId = String(created.body.jobId);

    // The crash: no shutdown, no draining, no last tick.
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');

    const jobRow = async () =>
      typed
        .selectFrom('mvp_core.crafting_jobs')
        .select(['status', 'due_at', 'consumed'])
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
    const transfersOf = async () =>
      (
        await sql<{ client_ref: string; kind: string; amount: string; pending_id: string | null; id: string }>`
          SELECT client_ref, kind, amount::text, pending_id::text, id::text FROM mvp_core.ledger_transfers
          WHERE client_ref LIKE ${`craft:${jobId}:%`} ORDER BY seq`.execute(db.kysely)
      ).rows;
    const characterAccounts = async () =>
      Object.fromEntries(
        (
          await typed
            .selectFrom('mvp_core.ledger_accounts')
            .select(['asset', 'balance', 'held'])
            .where('kind', '=', 'character')
            .where('owner_id', '=', characterId)
            .execute()
        ).map((row) => [row.asset, { balance: Number(row.balance), held: Number(row.held) }]),
      );
    const completedEvents = async () =>
      (
        await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM mvp_meta.outbox
          WHERE aggregatetype = 'economy.crafting.jobs' AND aggregateid = ${jobId}
            AND payload->'payload'->>'status' = 'completed'`.execute(db.kysely)
      ).rows[0]?.n;

    const whileDown = await auditLedger(typed);
    assert.equal(whileDown.balanced, true, JSON.stringify(whileDown));
    const crashed = await jobRow();
    assert.equal(crashed.status, 'processing');
    const holds = await transfersOf();
    assert.deepEqual(
      holds.map((transfer) => [transfer.client_ref, transfer.kind, transfer.amount]).sort(),
      [
        [`craft:${jobId}:hold:chemicals`, 'pending', '1'],
        [`craft:${jobId}:hold:metal`, 'pending', '2'],
      ],
      'the holds are committed and neither posted nor voided',
    );
    assert.deepEqual(await characterAccounts(), {
      chemicals: { balance: 1, held: 1 },
      metal: { balance: 2, held: 2 },
    });
    assert.equal(await completedEvents(), 0);

    // Restart once the job is due: two instances at once, so both schedulers race for it.
    const dueAt = new Date(crashed.due_at as Date).getTime();
    await sleep(Math.max(0, dueAt - Date.now()) + 100);
    const replicas = await Promise.all([startInstance(url, issuer, secret), startInstance(url, issuer, secret)]);
    running.push(...replicas);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const job = await callHttp(replicas[0]?.base ?? '', 'GET', `/api/v1/economy/crafting/jobs/${jobId}`, {
        token: player,
      });
      if (job.body.status === 'completed') {
        assert.deepEqual(job.body.materialsConsumed, { chemicals: 1, metal: 2 });
        break;
      }
      assert.ok(Date.now() < deadline, `the job is still ${String(job.body.status)}`);
      await sleep(100);
    }
    // A few more ticks of both replicas: nothing happens twice.
    await sleep(500);

    const settled = await transfersOf();
    const holdIds = new Set(settled.filter((transfer) => transfer.kind === 'pending').map((transfer) => transfer.id));
    const posts = settled.filter((transfer) => transfer.kind === 'post');
    assert.equal(holdIds.size, 2);
    assert.deepEqual(
      posts.map((post) => post.pending_id).sort(),
      [...holdIds].sort(),
      'each hold is posted exactly once',
    );
    assert.equal(settled.filter((transfer) => transfer.kind === 'void').length, 0, 'nothing voided');
    assert.equal(await completedEvents(), 1, 'one completed event: character-service grants the output once');
    assert.equal((await jobRow()).status, 'completed');
    assert.deepEqual(await characterAccounts(), {
      chemicals: { balance: 0, held: 0 },
      metal: { balance: 0, held: 0 },
    });
    const afterwards = await auditLedger(typed);
    assert.equal(afterwards.balanced, true, JSON.stringify(afterwards));
  });
});
