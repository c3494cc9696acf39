/**
 * The pool's parameterized queries are named prepared statements, planned with their values: a
 * session parses each text once, a text without parameters (several statements) still runs, and an
 * ON CONFLICT whose WHERE is a parameter still finds its partial unique index after many executions
 * (a generic plan cannot prove that it matches).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../src/testing.ts';

describe('prepared statements on real PostgreSQL', () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    assert.ok(test.url, 'these tests need DATABASE_URL');
  });
  after(() => test.close());

  it('prepares a parameterized text once per session and runs one without parameters as it is', async () => {
    await test.db.kysely.connection().execute(async (session) => {
      for (let round = 0; round < 3; round++) {
        const { rows } = await sql<{ n: number }>`SELECT ${round}::int + 1 AS n`.execute(session);
        assert.equal(rows[0]?.n, round + 1);
      }
      const { rows } = await sql<{ statement: string }>`
        SELECT statement FROM pg_prepared_statements WHERE statement LIKE ${'SELECT $1::int + 1%'}`.execute(session);
      assert.equal(rows.length, 1);
      await sql.raw('CREATE TEMP TABLE several (id int); INSERT INTO several VALUES (1)').execute(session);
    });
  });

  it('infers a partial unique index from a parameterized WHERE at every execution', async () => {
    await sql`CREATE TABLE live_rows (owner int NOT NULL, status text NOT NULL)`.execute(test.db.kysely);
    await sql`CREATE UNIQUE INDEX live_rows_one ON live_rows (owner) WHERE status IN ('open', 'held')`.execute(
      test.db.kysely,
    );
    await test.db.kysely.connection().execute(async (session) => {
      for (let round = 0; round < 8; round++) {
        await sql`INSERT INTO live_rows VALUES (${round % 2}, 'open')
          ON CONFLICT (owner) WHERE status IN (${'open'}, ${'held'}) DO NOTHING`.execute(session);
      }
    });
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM live_rows`.execute(test.db.kysely);
    assert.equal(rows[0]?.n, 2);
  });
});
