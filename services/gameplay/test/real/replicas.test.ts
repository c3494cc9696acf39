/**
 * Two gameplay-service processes on one real PostgreSQL, Redis and Kafka, as two replicas are
 * deployed: a cooldown started through one is refused by the other, simultaneous activations sent to
 * both have one winner, a character's open combat is the same on both, and every event they write
 * reaches Kafka (the relay marks an outbox row sent only once the broker has it).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase, type SqlDatabase } from '@necp/platform';
import {
  callHttp,
  createFreshDatabase,
  type FreshDatabase,
  realKafkaBrokers,
  realRedisUrl,
  startTestIssuer,
  type TestIssuer,
} from '@necp/platform/testing';
import { sql } from 'kysely';

const main = new URL('../../src/main.ts', import.meta.url).pathname;

// A real-phase file: without the servers it fails loudly rather than skipping.
assert.ok(realRedisUrl && realKafkaBrokers, 'this test needs REDIS_URL and KAFKA_BROKERS (scripts/infra.sh up)');

interface Replica {
  base: string;
  child: ChildProcess;
  exited: Promise<unknown>;
}

async function startReplica(env: NodeJS.ProcessEnv): Promise<Replica> {
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gameplay-service did not start:\n${output}`));
    }, 20_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      for (const line of output.split('\n')) {
        const record = parse(line);
        if (record?.message === 'gameplay listening' && typeof record.port === 'number') {
          clearTimeout(timer);
          resolve(record.port);
        }
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`gameplay-service exited before listening:\n${output}`));
    });
  });
  return { base: `http://127.0.0.1:${port}`, child, exited };
}

function parse(line: string): { message?: unknown; port?: unknown } | undefined {
  try {
    return JSON.parse(line) as { message?: unknown; port?: unknown };
  } catch {
    return undefined;
  }
}

describe('two gameplay replicas on real PostgreSQL, Redis and Kafka', () => {
  let database: FreshDatabase;
  let issuer: TestIssuer;
  let db: SqlDatabase;
  const replicas: Replica[] = [];

  before(async () => {
    database = await createFreshDatabase();
    assert.ok(database.url, 'this test needs DATABASE_URL');
    issuer = await startTestIssuer();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      AUTH_URL: issuer.url,
      AUTH_ISSUER_URL: issuer.url,
      CHARACTER_URL: issuer.url,
      GAMEPLAY_CLIENT_SECRET: randomUUID() + randomUUID(),
      GAMEPLAY_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // Shared by the two replicas, apart from every other test's keys.
      REDIS_KEY_PREFIX: `test-gameplay-${randomUUID()}:`,
    };
    delete env.OIDC_ISSUER;
    // One after the other: the first applies the migrations.
    replicas.push(await startReplica(env));
    replicas.push(await startReplica(env));
    db = await createDatabase({ databaseUrl: database.url, dataDir: 'memory://' });
  });
  after(async () => {
    for (const replica of replicas) {
      if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGTERM');
      await replica.exited;
    }
    await db?.close();
    await issuer?.close();
    await database?.drop();
  });

  /** A character ready for Curved Shot, its coupler installed through the first replica. */
  async function curver() {
    const accountId = randomUUID();
    const characterId = randomUUID();
    const weaponId = randomUUID();
    const coupler = randomUUID();
    issuer.remoteLoadouts.set(characterId, {
      characterId,
      accountId,
      district: 'westbrook',
      skills: { ballistics: 30, precision: 40, engineering: 5, hacking: 0 },
      weapons: [
        { itemId: weaponId, templateId: 'smart_pistol_kenshin', slot: 'weapon_1', weaponClass: 'smart_pistol' },
      ],
      implants: [{ itemId: randomUUID(), templateId: 'smart_wrist_tendons', slot: 'implant_arms' }],
      mods: [{ itemId: coupler, templateId: 'neuro_gyro_coupler' }],
      ammo: [],
    });
    const token = await issuer.token(accountId, ['player']);
    const [first] = replicas as [Replica, Replica];
    const patched = await callHttp(
      first.base,
      'PATCH',
      `/api/v1/gameplay/combat/weapon-mods/${weaponId}?characterId=${characterId}`,
      {
        token,
        body: { strategy: 'merge', slots: [{ slot: 'chip', modId: 'neuro_gyro_coupler' }] },
      },
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    return { characterId, weaponId, token };
  }

  const activate = (replica: Replica, me: { characterId: string; weaponId: string; token: string }) =>
    callHttp(replica.base, 'POST', '/api/v1/gameplay/combat/abilities/curved-shot/activate', {
      token: me.token,
      body: { characterId: me.characterId, weaponId: me.weaponId, bendAngle: 6 },
    });

  it('refuses on one replica the cooldown started through the other, at the same instant', async () => {
    const [first, second] = replicas as [Replica, Replica];
    const me = await curver();
    const started = await activate(first, me);
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const refused = await activate(second, me);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.cooldownEndsAt, started.body.cooldownEndsAt);
    const skills = await callHttp(
      second.base,
      'GET',
      `/api/v1/gameplay/combat/skills/active?characterId=${me.characterId}`,
      {
        token: me.token,
      },
    );
    assert.equal(skills.body.skills[0].cooldownEndsAt, started.body.cooldownEndsAt);
  });

  it('lets one of simultaneous activations through, across both replicas', async () => {
    const me = await curver();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => activate(replicas[i % 2] as Replica, me)));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
  });

  it('keeps a character in one open combat whichever replica it fires through, and relays every event to Kafka', async () => {
    const me = await curver();
    const fire = (replica: Replica, seed: number) =>
      callHttp(replica.base, 'POST', '/api/v1/gameplay/combat/ballistics/simulate', {
        token: me.token,
        body: {
          characterId: me.characterId,
          weaponId: me.weaponId,
          ammoType: 'standard',
          distanceMeters: 12,
          angleDegrees: 20,
          targetArmor: 'none',
          environmentMaterial: 'concrete',
          flags: { curvedShot: true, smartAssist: false },
          seed,
        },
      });
    const [first, second] = replicas as [Replica, Replica];
    const one = await fire(first, 1);
    const two = await fire(second, 2);
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.equal(two.body.combatId, one.body.combatId);

    const deadline = Date.now() + 20_000;
    for (;;) {
      const rows = await sql<{ pending: number; total: number }>`
        SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS pending, count(*)::int AS total
        FROM mvp_meta.outbox WHERE aggregateid = ${one.body.combatId}`.execute(db.kysely);
      const { pending, total } = rows.rows[0] ?? { pending: -1, total: 0 };
      if (total === 2 && pending === 0) break;
      if (Date.now() > deadline) assert.fail(`combat.ballistics.events still unsent: ${pending} of ${total}`);
      await sleep(100);
    }
  });
});
