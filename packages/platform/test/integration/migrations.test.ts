import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { type MigrationSet, migrate } from '../../src/sql/migrations.ts';
import { adapterLabel, createTestDatabase, type TestDatabase } from '../../src/testing.ts';

function migrationSet(scope: string, files: Record<string, string>): MigrationSet {
  const directory = mkdtempSync(join(tmpdir(), 'necp-migrations-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
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
});
