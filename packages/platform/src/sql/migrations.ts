import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlDatabase } from './database.ts';

/** One advisory lock for every migration run in the database, so concurrent starts take turns. */
const MIGRATION_LOCK_KEY = 7_307_001;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/**
 * The subfolder of a migrations directory holding repeatable definitions: one file per stored
 * function, its live definition (CREATE OR REPLACE), recorded as `repeatable/<file>` and run again
 * whenever its text changes. Numbered files change the schema once; a function's one home is here.
 */
export const REPEATABLE_FOLDER = 'repeatable';

export interface MigrationSet {
  /** Who owns these files: `platform` or a service name. */
  scope: string;
  directory: URL;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function readMigrations(directory: URL): Promise<MigrationFile[]> {
  return readSqlFiles(fileURLToPath(directory));
}

/** The set's repeatable definitions, named `repeatable/<file>`; none when the folder is absent. */
export async function readRepeatables(directory: URL): Promise<MigrationFile[]> {
  try {
    const files = await readSqlFiles(join(fileURLToPath(directory), REPEATABLE_FOLDER));
    return files.map((file) => ({ ...file, name: `${REPEATABLE_FOLDER}/${file.name}` }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function readSqlFiles(path: string): Promise<MigrationFile[]> {
  const names = (await readdir(path)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(path, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies the sets' pending files in name order, each recorded with its checksum, all under one
 * advisory lock in one transaction: two processes starting at once apply each file once, and a
 * failing file leaves nothing half-applied. An applied numbered file that changed since stops the
 * start. After a set's numbered files, each of its repeatable definitions that is new or changed
 * since it was recorded runs, so that it sees the schema the numbered files leave.
 */
export async function migrate(db: SqlDatabase, sets: MigrationSet[]): Promise<string[]> {
  const files = await Promise.all(
    sets.map(async (set) => ({
      set,
      files: await readMigrations(set.directory),
      repeatables: await readRepeatables(set.directory),
    })),
  );
  return db.exclusive(MIGRATION_LOCK_KEY, async (session) => {
    await session.exec(`
      CREATE SCHEMA IF NOT EXISTS mvp_meta;
      CREATE TABLE IF NOT EXISTS mvp_meta.schema_migrations (
        scope text NOT NULL,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, name)
      );`);
    const applied: string[] = [];
    const run = async (scope: string, migration: MigrationFile) => {
      try {
        await session.exec(migration.sql);
      } catch (error) {
        throw new MigrationError(`${scope}/${migration.name} failed: ${(error as Error).message}`);
      }
    };
    for (const { set, files: migrations, repeatables } of files) {
      const rows = await session.query<{ name: string; checksum: string }>(
        'SELECT name, checksum FROM mvp_meta.schema_migrations WHERE scope = $1',
        [set.scope],
      );
      const done = new Map(rows.map((row) => [row.name, row.checksum]));
      for (const migration of migrations) {
        const checksum = done.get(migration.name);
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new MigrationError(`${set.scope}/${migration.name} changed after it was applied; add a new file`);
          }
          continue;
        }
        await run(set.scope, migration);
        await session.query('INSERT INTO mvp_meta.schema_migrations (scope, name, checksum) VALUES ($1, $2, $3)', [
          set.scope,
          migration.name,
          migration.checksum,
        ]);
        applied.push(`${set.scope}/${migration.name}`);
      }
      for (const definition of repeatables) {
        if (done.get(definition.name) === definition.checksum) continue;
        await run(set.scope, definition);
        await session.query(
          `INSERT INTO mvp_meta.schema_migrations (scope, name, checksum) VALUES ($1, $2, $3)
             ON CONFLICT (scope, name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()`,
          [set.scope, definition.name, definition.checksum],
        );
        applied.push(`${set.scope}/${definition.name}`);
      }
    }
    return applied;
  });
}

export const platformMigrations: MigrationSet = {
  scope: 'platform',
  directory: new URL('../../migrations/', import.meta.url),
};
