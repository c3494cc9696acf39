/**
 * Statements marked `prepared` are named prepared statements on PostgreSQL: a session prepares each
 * text once and, past five executions, runs it on a generic plan that still answers with each
 * execution's values; an ON CONFLICT over a partial unique index, its predicate as literals, still
 * infers the index from that generic plan. Unmarked statements stay unnamed, and the embedded
 * PGlite runs marked ones as plain statements.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { createDatabase } from '../../src/sql/database.ts';
import { prepared } from '../../src/sql/prepared-statements.ts';
import { createTestDatabase, type TestDatabase } from '../../src/testing.ts';

interface Prepared {
  statement: string;
  generic_plans: number;
  custom_plans: number;
}

const ownPrepared = <DB>(session: Kysely<DB>, like: string) =>
  sql<Prepared>`SELECT statement, generic_plans::int, custom_plans::int FROM pg_prepared_statements
    WHERE statement LIKE ${like} AND NOT from_sql`.execute(session);

describe('prepared statements on real PostgreSQL', () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    assert.ok(test.url, 'these tests need DATABASE_URL');
  });
  after(() => test.close());

  it('prepares a marked text once per session and answers each execution after its plan turned generic', async () => {
    await test.db.kysely.connection().execute(async (session) => {
      for (let round = 0; round < 8; round++) {
        const { rows } = await prepared(sql<{ n: number }>`SELECT ${round}::int * 10 + 1 AS n`).execute(session);
        assert.equal(rows[0]?.n, round * 10 + 1);
      }
      const { rows } = await ownPrepared(session, 'SELECT $1::int * 10 + 1 AS n%');
      assert.equal(rows.length, 1);
      assert.ok((rows[0]?.generic_plans ?? 0) >= 1, `a generic plan after 8 executions: ${JSON.stringify(rows)}`);
    });
  });

  it('leaves an unmarked text unnamed', async () => {
    await test.db.kysely.connection().execute(async (session) => {
      for (let round = 0; round < 3; round++) {
        const { rows } = await sql<{ n: number }>`SELECT ${round}::int * 20 + 2 AS n`.execute(session);
        assert.equal(rows[0]?.n, round * 20 + 2);
      }
      const { rows } = await ownPrepared(session, '%* 20 + 2%');
      assert.deepEqual(rows, []);
    });
  });

  it('marks a query builder and infers a partial unique index on a generic plan when its predicate is literal', async () => {
    const db = test.db.kysely as unknown as Kysely<{ live_rows: { owner: number; status: string } }>;
    await sql`CREATE TABLE live_rows (owner int NOT NULL, status text NOT NULL)`.execute(db);
    await sql`CREATE UNIQUE INDEX live_rows_one ON live_rows (owner) WHERE status IN ('open', 'held')`.execute(db);
    await db.connection().execute(async (session) => {
      for (let round = 0; round < 8; round++) {
        await prepared(
          session
            .insertInto('live_rows')
            .values({ owner: round % 3, status: round < 6 ? 'open' : 'closed' })
            .onConflict((conflict) =>
              conflict
                .column('owner')
                .where('status', 'in', [sql.lit('open'), sql.lit('held')])
                .doNothing(),
            ),
        ).execute();
      }
      const { rows } = await ownPrepared(session, 'insert into "live_rows"%');
      assert.equal(rows.length, 1);
      assert.ok((rows[0]?.generic_plans ?? 0) >= 1, `a generic plan after 8 executions: ${JSON.stringify(rows)}`);
    });
    const { rows } = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM live_rows GROUP BY status ORDER BY status`.execute(db);
    // Three live owners (0, 1, 2) from the first six, then two closed rows the index does not cover.
    assert.deepEqual(rows, [
      { status: 'closed', n: 2 },
      { status: 'open', n: 3 },
    ]);
  });

  it('runs marked statements on the embedded PGlite', async () => {
    const embedded = await createDatabase({ dataDir: 'memory://' });
    try {
      for (let round = 0; round < 7; round++) {
        const { rows } = await prepared(sql<{ n: number }>`SELECT ${round}::int * 10 + 1 AS n`).execute(
          embedded.kysely,
        );
        assert.equal(rows[0]?.n, round * 10 + 1);
      }
    } finally {
      await embedded.close();
    }
  });
});
