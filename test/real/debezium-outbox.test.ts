/**
 * The Debezium path of the outbox, for real: Kafka Connect 4.3.1 with debezium-connector-postgres
 * 3.7.1.Final (scripts/infra/debezium.sh), deploy/debezium/outbox-connector.json as shipped (only its
 * slot renamed, since slots belong to the whole server), the least-privileged role of
 * deploy/debezium/replication-user.sql, and the whole backend with its relay off (`OUTBOX_RELAY=off`)
 * driven through the gateway. Then the built-in relay sends the same rows again: every record must be
 * the same topic, key, partition, value bytes and headers, and the consumers, which now got every event
 * twice, must have acted once. One Connect start for the file: the JVM is slow to start on 2 cores.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRuntime } from '@necp/platform';
import {
  connectTestDatabase,
  createFreshDatabase,
  type FreshDatabase,
  realDatabaseUrl,
  realKafkaBrokers,
  type TestDatabase,
  testConfig,
  waitFor,
} from '@necp/platform/testing';
import { Consumer, type Message } from '@platformatic/kafka';
import { sql } from 'kysely';
import pg from 'pg';
import { type E2eBackend, startE2eBackend } from '../e2e/support/backend.ts';
import { type ConnectWorker, startConnectWorker } from './support/connect-worker.ts';

// A real-phase file: without the servers it fails loudly rather than skipping.
assert.ok(realKafkaBrokers && realDatabaseUrl, 'this test needs KAFKA_BROKERS and DATABASE_URL (scripts/infra.sh up)');

const root = new URL('../../', import.meta.url).pathname;

interface OutboxRow {
  id: string;
  aggregatetype: string;
}

/** What a consumer sees of a record: everything but its offset and timestamp. */
interface SeenRecord {
  offset: bigint;
  topic: string;
  partition: number;
  key: Buffer;
  value: Buffer;
  headers: [string, Buffer][];
}

function seen(message: Message): SeenRecord {
  return {
    offset: message.offset,
    topic: message.topic,
    partition: message.partition,
    key: message.key,
    value: message.value,
    headers: message.headerEntries.map(([key, value]) => [key.toString(), value]),
  };
}

/**
 * The records of the outbox rows `rows` on their topics, by event id (the `id` header), read from the
 * beginning by a throw-away group until each id has `copies` records, then a second more so that an
 * extra copy arriving late is counted too.
 */
async function recordsOf(rows: OutboxRow[], copies: number): Promise<Map<string, SeenRecord[]>> {
  const ids = new Set(rows.map((row) => row.id));
  const byId = new Map<string, SeenRecord[]>();
  const consumer = new Consumer({
    clientId: 'necp-debezium-test',
    groupId: `debezium-test-${randomBytes(5).toString('hex')}`,
    bootstrapBrokers: (realKafkaBrokers as string).split(','),
    maxWaitTime: 200,
  });
  try {
    const topics = [...new Set(rows.map((row) => row.aggregatetype))];
    const stream = await consumer.consume({ topics, mode: 'earliest', autocommit: false });
    stream.on('data', (message: Message) => {
      const id = message.headerEntries.find(([key]) => key.toString() === 'id')?.[1].toString();
      if (id && ids.has(id)) byId.set(id, [...(byId.get(id) ?? []), seen(message)]);
    });
    const deadline = Date.now() + 45_000;
    while ([...ids].some((id) => (byId.get(id)?.length ?? 0) < copies) && Date.now() < deadline) await sleep(100);
    await sleep(1_000);
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return byId;
}

async function outboxRows(db: TestDatabase['db']): Promise<OutboxRow[]> {
  return db.kysely.selectFrom('mvp_meta.outbox').select(['id', 'aggregatetype']).orderBy('seq').execute();
}

async function slotIs(db: TestDatabase['db'], slot: string, active: boolean): Promise<boolean> {
  const result = await sql<{ active: boolean }>`
    SELECT active FROM pg_replication_slots WHERE slot_name = ${slot}`.execute(db.kysely);
  return result.rows[0]?.active === active;
}

/** JSON over HTTP to the gateway, as a player's client calls it. */
async function call(gateway: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${gateway}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

describe('Debezium relays the outbox exactly as the built-in relay does', () => {
  let database: FreshDatabase;
  let test: TestDatabase;
  let connect: ConnectWorker | undefined;
  let e2e: E2eBackend | undefined;
  const suffix = randomBytes(5).toString('hex');
  const role = `necp_debezium_${suffix}`;
  const slot = `necp_outbox_${suffix}`;
  const password = randomBytes(18).toString('hex');

  before(
    async () => {
      database = await createFreshDatabase();
      assert.ok(database.url);
      // The services' outbox first: the publication names it. The backend migrates the rest.
      test = await connectTestDatabase(database.url, { migrate: true });
      execFileSync(
        'psql',
        [
          '-X',
          '-q',
          '-v',
          `role=${role}`,
          '-v',
          `password=${password}`,
          '-f',
          'deploy/debezium/replication-user.sql',
          database.url,
        ],
        { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      const url = new URL(database.url);
      connect = await startConnectWorker({
        brokers: realKafkaBrokers as string,
        database: { host: url.hostname, port: url.port, user: role, password, name: url.pathname.slice(1) },
      });
      await connect.register({ 'slot.name': slot });
      await waitFor(
        'the connector to stream from its slot',
        async () => ((await slotIs(test.db, slot, true)) ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      e2e = await startE2eBackend({ DATABASE_URL: database.url, OUTBOX_RELAY: 'off', OUTBOX_SLOT_NAME: slot });
    },
    { timeout: 240_000 },
  );
  after(async () => {
    await e2e?.stop();
    await connect?.stop();
    if (test) {
      // The slot is the server's: dropped, or PostgreSQL keeps WAL for it (and the database cannot be dropped).
      await waitFor('the slot to be left', async () => ((await slotIs(test.db, slot, true)) ? undefined : true), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      await sql`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ${slot}`.execute(
        test.db.kysely,
      );
      await test.close();
    }
    await database?.drop();
    const admin = await connectTestDatabase(realDatabaseUrl as string, { migrate: false });
    await sql`DROP ROLE IF EXISTS ${sql.id(role)}`.execute(admin.db.kysely);
    await admin.close();
  });

  async function player(tag: string) {
    const gateway = (e2e as E2eBackend).gateway;
    const username = `${tag}_${randomUUID().slice(0, 6)}`;
    const password = `Neon-city-${randomUUID()}`;
    const registered = await call(gateway, 'POST', '/api/v1/auth/register', {
      body: { email: `${username}@example.test`, username, password },
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const login = await call(gateway, 'POST', '/api/v1/auth/login', { body: { login: username, password } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const token = login.body.access_token as string;
    const created = await call(gateway, 'POST', '/api/v1/characters', {
      token,
      body: { name: `${tag} ${username.slice(-6)}`, origin: 'street_kid', class: 'solo' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return { token, characterId: created.body.characterId as string };
  }

  /** The character's eddies and the quantities in its backpack: what a doubled starting kit would change. */
  async function holdings(who: { token: string; characterId: string }) {
    const gateway = (e2e as E2eBackend).gateway;
    const wallet = await call(gateway, 'GET', `/api/v1/economy/wallets/${who.characterId}`, { token: who.token });
    const inventory = await call(gateway, 'GET', `/api/v1/characters/${who.characterId}/inventory`, {
      token: who.token,
    });
    const eddies = (wallet.body.balances as { asset: string; available: number }[] | undefined)?.find(
      (balance) => balance.asset === 'EDD',
    )?.available;
    const items = ((inventory.body.items as { templateId: string; quantity: number }[] | undefined) ?? [])
      .map((item) => `${item.templateId}×${item.quantity}`)
      .sort();
    return { eddies, items };
  }

  async function metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${(e2e as E2eBackend).backend.portOf('economy')}/metrics`)).text();
  }

  it('publishes every outbox row once, as the built-in relay publishes it, and the consumers act once', async () => {
    const alice = await player('alice');
    const bob = await player('bob');
    // The starting kit comes from the character's event, which only Debezium publishes here.
    await waitFor("alice's starting kit", async () => ((await holdings(alice)).eddies === 1000 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    await waitFor("bob's starting kit", async () => ((await holdings(bob)).eddies === 1000 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const transfer = await call((e2e as E2eBackend).gateway, 'POST', '/api/v1/economy/transfers', {
      token: alice.token,
      body: { fromCharacterId: alice.characterId, toCharacterId: bob.characterId, asset: 'EDD', amount: 250 },
    });
    assert.equal(transfer.status, 201, JSON.stringify(transfer.body));
    const before = { alice: await holdings(alice), bob: await holdings(bob) };
    assert.equal(before.alice.eddies, 750);
    assert.equal(before.bob.eddies, 1250);
    assert.ok(before.alice.items.length > 0, 'the starting kit is in the backpack');

    const rows = await outboxRows(test.db);
    assert.ok(
      rows.some((row) => row.aggregatetype === 'economy.ledger.transfers') && rows.length >= 5,
      rows.map((row) => row.aggregatetype).join(', '),
    );
    const fromDebezium = await recordsOf(rows, 1);
    for (const row of rows) {
      assert.equal(fromDebezium.get(row.id)?.length, 1, `Debezium published ${row.aggregatetype} ${row.id} once`);
    }
    const pending = await test.db.kysely
      .selectFrom('mvp_meta.outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('sent_at', 'is', null)
      .executeTakeFirstOrThrow();
    assert.equal(Number(pending.n), rows.length, 'Debezium marks nothing sent');

    // The built-in relay sends the same rows again (as after switching back to it without draining).
    const runtime = await createRuntime(
      testConfig({ DATABASE_URL: database.url as string, OUTBOX_RELAY: 'builtin', OUTBOX_POLL_INTERVAL_MS: '100' }),
      'builtin-relay',
    );
    try {
      await runtime.startRelay();
      await waitFor(
        'the built-in relay to send every row',
        async () => {
          const left = await test.db.kysely
            .selectFrom('mvp_meta.outbox')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('sent_at', 'is', null)
            .executeTakeFirstOrThrow();
          return Number(left.n) === 0 ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    } finally {
      await runtime.close();
    }
    const both = await recordsOf(rows, 2);
    for (const row of rows) {
      const records = both.get(row.id) ?? [];
      assert.equal(records.length, 2, `${row.aggregatetype} ${row.id}: Debezium's record and the relay's, no more`);
      const debezium = fromDebezium.get(row.id)?.[0] as SeenRecord;
      const relayed = records.find((record) => record.offset !== debezium.offset || record.topic !== debezium.topic);
      assert.ok(relayed, `${row.id}: the relay's own record`);
      const { offset: _d, ...fromConnector } = debezium;
      const { offset: _r, ...fromRelay } = relayed;
      assert.deepEqual(
        fromConnector,
        fromRelay,
        `${row.aggregatetype} ${row.id}: same topic, key, partition, value bytes, headers`,
      );
    }
    assert.deepEqual(
      fromDebezium.get(rows[0]?.id as string)?.[0]?.headers.map(([key]) => key),
      ['id', 'traceparent'],
      'no __debezium.context.* headers',
    );

    // Every event reached the consumers twice; they must have acted once.
    await waitFor(
      'the consumers to take the relay’s copies',
      async () => {
        const lag = [...(await metrics()).matchAll(/^kafka_consumer_lag\{[^}]*\} (\d+)/gm)].map((m) => Number(m[1]));
        return lag.length > 0 && lag.every((each) => each === 0) ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.deepEqual({ alice: await holdings(alice), bob: await holdings(bob) }, before);
    const deadLetters = await test.db.kysely
      .selectFrom('mvp_meta.dead_letters')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(deadLetters.n), 0, 'no copy was refused');
  });

  it('gives the connector’s role the outbox to read and nothing else', async () => {
    const url = new URL(database.url as string);
    url.username = role;
    url.password = password;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const read = await client.query('SELECT count(*)::int AS n FROM mvp_meta.outbox');
      assert.ok(read.rows[0].n > 0);
      for (const statement of [
        'SELECT count(*) FROM mvp_meta.processed_events',
        'UPDATE mvp_meta.outbox SET sent_at = now() WHERE false',
        'CREATE TABLE mvp_meta.intruder (n int)',
        `CREATE PUBLICATION intruder FOR TABLE mvp_meta.outbox`,
      ]) {
        await assert.rejects(client.query(statement), /permission denied|must be owner/, statement);
      }
    } finally {
      await client.end();
    }
  });

  it('exports the backlog as the slot’s lag, and shows a stopped connector', async () => {
    const streaming = await metrics();
    assert.match(streaming, new RegExp(`^outbox_slot_active\\{[^}]*slot="${slot}"[^}]*\\} 1$`, 'm'));
    assert.match(streaming, new RegExp(`^outbox_slot_lag_bytes\\{[^}]*slot="${slot}"[^}]*\\} \\d+$`, 'm'));
    assert.doesNotMatch(streaming, /^outbox_backlog\{/m, 'no row count that Debezium would never bring down');
    // The heartbeat moves the slot on past WAL that holds no outbox row (written here, in another table).
    await sql`CREATE TABLE not_published (n int)`.execute(test.db.kysely);
    await sql`INSERT INTO not_published SELECT generate_series(1, 1000)`.execute(test.db.kysely);
    const written = (await sql<{ lsn: string }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(test.db.kysely))
      .rows[0]?.lsn;
    await waitFor(
      'the slot to confirm WAL past the last write (the heartbeat)',
      async () => {
        const result = await sql<{ past: boolean }>`
          SELECT confirmed_flush_lsn >= ${written}::pg_lsn AS past FROM pg_replication_slots WHERE slot_name = ${slot}`.execute(
          test.db.kysely,
        );
        return result.rows[0]?.past ? true : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );

    await (connect as ConnectWorker).stop();
    connect = undefined;
    await waitFor('the slot to be left', async () => ((await slotIs(test.db, slot, false)) ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const lagBefore = Number(/^outbox_slot_lag_bytes\{[^}]*\} (\d+)$/m.exec(await metrics())?.[1]);
    await player('carol'); // events nobody publishes now
    const stopped = await metrics();
    assert.match(stopped, new RegExp(`^outbox_slot_active\\{[^}]*slot="${slot}"[^}]*\\} 0$`, 'm'));
    const lagAfter = Number(/^outbox_slot_lag_bytes\{[^}]*\} (\d+)$/m.exec(stopped)?.[1]);
    assert.ok(lagAfter > lagBefore, `the unpublished events show as lag: ${lagBefore} → ${lagAfter} bytes`);
  });
});
