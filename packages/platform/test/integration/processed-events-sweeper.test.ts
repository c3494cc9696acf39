import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { deleteOldProcessedEvents, sweepProcessedEvents } from '../../src/events/processed-events-sweeper.ts';
import { createLogger } from '../../src/logger.ts';
import { adapterLabel, createTestDatabase, type TestDatabase } from '../../src/testing.ts';
import { uuidv7 } from '../../src/uuid-v7.ts';

const DAY_MS = 24 * 3_600_000;

describe(`processed-events sweeper on ${adapterLabel}`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
  });
  after(() => test.close());

  const record = async (group: string, eventId: string) => {
    await sql`INSERT INTO mvp_meta.processed_events (consumer_group, event_id, topic) VALUES (${group}, ${eventId}, 't')`.execute(
      test.db.kysely,
    );
    return eventId;
  };
  const remaining = async (group: string) =>
    new Set(
      (
        await sql<{ event_id: string }>`
          SELECT event_id::text FROM mvp_meta.processed_events WHERE consumer_group = ${group}`.execute(test.db.kysely)
      ).rows.map((row) => row.event_id),
    );

  it("forgets a group's events older than the retention, by their v7 ids, and nothing else", async () => {
    const old = await record('g1', uuidv7(Date.now() - 8 * DAY_MS));
    const recent = await record('g1', uuidv7(Date.now() - DAY_MS));
    // A version-4 id that sorts below every recent v7 id: its age is unknown, so it stays.
    const foreign = await record('g1', '00000000-0000-4000-8000-000000000001');
    const otherGroup = await record('g2', uuidv7(Date.now() - 8 * DAY_MS));
    assert.equal(await deleteOldProcessedEvents(test.db, 'g1', 7 * DAY_MS), 1);
    assert.deepEqual(await remaining('g1'), new Set([recent, foreign]));
    assert.ok(!(await remaining('g1')).has(old));
    assert.deepEqual(await remaining('g2'), new Set([otherGroup]));
  });

  it('sweeps on its own while the service runs', async () => {
    const old = await record('g3', uuidv7(Date.now() - 2 * DAY_MS));
    const kept = await record('g3', uuidv7());
    const stop = sweepProcessedEvents(test.db, createLogger('test', 'silent'), ['g3'], DAY_MS, 20);
    try {
      const deadline = Date.now() + 5_000;
      while ((await remaining('g3')).has(old) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(await remaining('g3'), new Set([kept]));
    } finally {
      await stop();
    }
  });
});
