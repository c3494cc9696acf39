import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { exclusiveSchedule } from '../../src/sql/exclusive-schedule.ts';
import { adapterLabel, createTestDatabase, realDatabaseUrl, type TestDatabase } from '../../src/testing.ts';

interface Due {
  schedule_test: { id: number; due_at: Date; runs: number };
}

describe(`exclusive schedule on ${adapterLabel}`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    await sql`CREATE TABLE schedule_test (id int PRIMARY KEY, due_at timestamptz NOT NULL, runs int NOT NULL DEFAULT 0)`.execute(
      test.db.kysely,
    );
    await sql`INSERT INTO schedule_test (id, due_at) VALUES (1, '2030-01-01T00:00:00Z')`.execute(test.db.kysely);
  });
  after(() => test.close());

  const bumpDue = (db: TestDatabase['db']) =>
    exclusiveSchedule<Due>(db, 'schedule-test', async (trx, now) => {
      await trx
        .updateTable('schedule_test')
        .set((eb) => ({ runs: eb('runs', '+', 1) }))
        .where('due_at', '<=', now)
        .execute();
    });

  const runs = async () =>
    (
      await test.db
        .typed<Due>()
        .selectFrom('schedule_test')
        .select('runs')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow()
    ).runs;

  it('does the work that is due at the time it is given, and nothing before it', async () => {
    const schedule = bumpDue(test.db);
    assert.equal(await schedule.tick(new Date('2029-12-31T23:59:59Z')), true);
    assert.equal(await runs(), 0);
    assert.equal(await schedule.tick(new Date('2030-01-01T00:00:00Z')), true);
    assert.equal(await runs(), 1);
  });

  it('rolls a failed tick back whole', async () => {
    const failing = exclusiveSchedule<Due>(test.db, 'schedule-test', async (trx) => {
      await trx.updateTable('schedule_test').set({ runs: 100 }).execute();
      throw new Error('crash mid-tick');
    });
    await assert.rejects(failing.tick(), /crash mid-tick/);
    assert.equal(await runs(), 1);
  });

  // Replicas need PostgreSQL: PGlite is one connection in one process, so there is no second replica to race.
  if (!realDatabaseUrl) return;
  it('lets one replica tick at a time: the other skips while the first holds the lock', async () => {
    const other = await test.connectAgain();
    const held = Promise.withResolvers<void>();
    const inside = Promise.withResolvers<void>();
    const slow = exclusiveSchedule<Due>(test.db, 'schedule-test', async () => {
      inside.resolve();
      await held.promise;
    });
    const first = slow.tick();
    await inside.promise;
    assert.equal(await bumpDue(other).tick(new Date('2031-01-01T00:00:00Z')), false);
    held.resolve();
    assert.equal(await first, true);
    assert.equal(await bumpDue(other).tick(new Date('2031-01-01T00:00:00Z')), true);
    assert.equal(await runs(), 2);
  });
});
