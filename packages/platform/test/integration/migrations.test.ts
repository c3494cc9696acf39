import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { type MigrationSet, migrate } from '../../src/sql/migrations.ts';
import { adapterLabel, createTestDatabase, type TestDatabase } from '../../src/testing.ts';

function migrationSet(scope: string, files: Record<string, string>): MigrationSet {
  const directory = mkdtempSync(join(tmpdir(), 'necp-migrations-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, name)), { recursive: true });
    writeFileSync(join(directory, name), text);
  }
  return { scope, directory: pathToFileURL(`${directory}/`) };
}

describe(`migrations on ${adapterLabel}`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
  });
  after(() => test.close());

  it('applies files in name order, several statements each, and records them', async () => {
    const set = migrationSet('sample', {
      '002_rows.sql': "INSERT INTO sample_t (name) VALUES ('b'); INSERT INTO sample_t (name) VALUES ('c');",
      '001_table.sql':
        "CREATE TABLE sample_t (id serial PRIMARY KEY, name text NOT NULL);\nINSERT INTO sample_t (name) VALUES ('a');",
    });
    assert.deepEqual(await migrate(test.db, [set]), ['sample/001_table.sql', 'sample/002_rows.sql']);
    const rows = await sql<{ name: string }>`SELECT name FROM sample_t ORDER BY id`.execute(test.db.kysely);
    assert.deepEqual(
      rows.rows.map((row) => row.name),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(await migrate(test.db, [set]), [], 'a second run applies nothing');
  });

  it('refuses to start when an applied file was edited', async () => {
    const set = migrationSet('edited', { '001_a.sql': 'CREATE TABLE edited_t (id int);' });
    await migrate(test.db, [set]);
    writeFileSync(new URL('001_a.sql', set.directory), 'CREATE TABLE edited_t (id bigint);');
    await assert.rejects(migrate(test.db, [set]), /changed after it was applied/);
  });

  it('leaves nothing half-applied when a file fails', async () => {
    const set = migrationSet('broken', {
      '001_ok.sql': 'CREATE TABLE broken_ok (id int);',
      '002_bad.sql': 'CREATE TABLE broken_bad (id int); SELECT no_such_function();',
    });
    await assert.rejects(migrate(test.db, [set]), /broken\/002_bad.sql failed/);
    const tables = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables WHERE table_name LIKE 'broken_%'`.execute(
      test.db.kysely,
    );
    assert.deepEqual(tables.rows, []);
  });

  it('applies each file once when two starts race', async () => {
    const set = migrationSet('raced', {
      '001_counter.sql': 'CREATE TABLE raced_runs (n int); INSERT INTO raced_runs VALUES (1);',
      '002_more.sql': 'INSERT INTO raced_runs VALUES (2);',
    });
    const second = test.url ? await test.connectAgain() : test.db;
    const results = await Promise.all([migrate(test.db, [set]), migrate(second, [set])]);
    assert.equal(results.flat().length, 2, 'the two files were applied once in total');
    const runs = await sql<{ n: number }>`SELECT n FROM raced_runs ORDER BY n`.execute(test.db.kysely);
    assert.deepEqual(
      runs.rows.map((row) => row.n),
      [1, 2],
    );
  });

  describe('repeatable definitions', () => {
    // A definition that also counts its runs, so a test sees whether it ran, not only what it left.
    const definition = (scope: string, answer: number) => `
      CREATE OR REPLACE FUNCTION ${scope}_answer() RETURNS integer LANGUAGE sql AS $$
        SELECT ${answer} + count(*)::int * 0 FROM ${scope}_t
      $$;
      INSERT INTO ${scope}_runs (answer) VALUES (${answer});`;
    const numbered = (scope: string) =>
      `CREATE TABLE ${scope}_t (id int); CREATE TABLE ${scope}_runs (answer int NOT NULL);`;
    const answer = async (scope: string) =>
      (await sql<{ n: number }>`SELECT ${sql.raw(scope)}_answer() AS n`.execute(test.db.kysely)).rows[0]?.n;
    const runs = async (scope: string) =>
      (await sql<{ answer: number }>`SELECT answer FROM ${sql.raw(scope)}_runs`.execute(test.db.kysely)).rows.map(
        (row) => row.answer,
      );

    it('runs after the numbered files, again when its text changed, and not when it did not', async () => {
      // The SQL function's body names a table of the numbered file: created before, it passes the check.
      const set = migrationSet('rep', {
        '001_tables.sql': numbered('rep'),
        'repeatable/answer.sql': definition('rep', 1),
      });
      assert.deepEqual(await migrate(test.db, [set]), ['rep/001_tables.sql', 'rep/repeatable/answer.sql']);
      assert.equal(await answer('rep'), 1);

      assert.deepEqual(await migrate(test.db, [set]), [], 'unchanged: not run again');
      assert.deepEqual(await runs('rep'), [1]);

      writeFileSync(new URL('repeatable/answer.sql', set.directory), definition('rep', 2));
      assert.deepEqual(await migrate(test.db, [set]), ['rep/repeatable/answer.sql']);
      assert.equal(await answer('rep'), 2);
      assert.deepEqual(await runs('rep'), [1, 2]);
      const recorded = await sql<{ name: string }>`
        SELECT name FROM mvp_meta.schema_migrations WHERE scope = 'rep' ORDER BY name`.execute(test.db.kysely);
      assert.deepEqual(
        recorded.rows.map((row) => row.name),
        ['001_tables.sql', 'repeatable/answer.sql'],
        'one record per file, its checksum updated in place',
      );
      assert.deepEqual(await migrate(test.db, [set]), [], 'the new text is recorded');
    });

    it('still refuses an edited numbered file beside them', async () => {
      const set = migrationSet('rep_edit', {
        '001_tables.sql': numbered('rep_edit'),
        'repeatable/answer.sql': definition('rep_edit', 1),
      });
      await migrate(test.db, [set]);
      writeFileSync(new URL('001_tables.sql', set.directory), `${numbered('rep_edit')} -- edited`);
      writeFileSync(new URL('repeatable/answer.sql', set.directory), definition('rep_edit', 2));
      await assert.rejects(migrate(test.db, [set]), /rep_edit\/001_tables.sql changed after it was applied/);
      assert.equal(await answer('rep_edit'), 1, 'the refused start changed no definition');
    });

    it('leaves nothing applied when one fails', async () => {
      const set = migrationSet('rep_bad', {
        '001_table.sql': 'CREATE TABLE rep_bad_t (id int);',
        'repeatable/bad.sql': 'CREATE OR REPLACE FUNCTION rep_bad() RETURNS int LANGUAGE sql AS $$ SELECT nope $$;',
      });
      await assert.rejects(migrate(test.db, [set]), /rep_bad\/repeatable\/bad.sql failed/);
      const tables = await sql`SELECT 1 FROM information_schema.tables WHERE table_name = 'rep_bad_t'`.execute(
        test.db.kysely,
      );
      assert.equal(tables.rows.length, 0, 'the numbered file of the same run was undone too');
    });
  });
});
