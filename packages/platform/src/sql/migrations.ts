import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { SqlDatabase } from './database.ts';

/** One advisory lock for every migration run in the database, so concurrent starts take turns. */
const MIGRATION_LOCK_KEY = 7_307_001;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationSet {
  /** Who owns these files: `platform` or a service name. */
  scope: string;
  directory: URL;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function readMigrations(directory: URL): Promise<MigrationFile[]> {
  const path = fileURLToPath(directory);
  const names = (await readdir(path)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(`${path}/${name}`, 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies the sets' pending files in name order, each recorded with its checksum, all under one
 * advisory lock in one transaction: two processes starting at once apply each file once, and a
 * failing file leaves nothing half-applied. An applied file that changed since stops the start.
 */
export async function migrate(db: SqlDatabase, sets: MigrationSet[]): Promise<string[]> {
  const files = await Promise.all(sets.map(async (set) => ({ set, files: await readMigrations(set.directory) })));
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
    for (const { set, files: migrations } of files) {
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
        try {
          await session.exec(migration.sql);
        } catch (error) {
          throw new MigrationError(`${set.scope}/${migration.name} failed: ${(error as Error).message}`);
        }
        await session.query('INSERT INTO mvp_meta.schema_migrations (scope, name, checksum) VALUES ($1, $2, $3)', [
          set.scope,
          migration.name,
          migration.checksum,
        ]);
        applied.push(`${set.scope}/${migration.name}`);
      }
    }
    return applied;
  });
}

export const platformMigrations: MigrationSet = {
  scope: 'platform',
  directory: new URL('../../migrations/', import.meta.url),
};
