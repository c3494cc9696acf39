import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGLITE_START_PARAMS, prepareClusterDirectory } from './pglite-cluster.ts';
import type { PlatformTables } from './platform-tables.ts';
import { nameMarkedStatements } from './prepared-statements.ts';

/** What runs inside an exclusive (advisory-locked) section: plain SQL, several statements allowed. */
export interface ExclusiveSession {
  /** Runs SQL text through the simple-query path, so a file of several statements works. */
  exec(sqlText: string): Promise<void>;
  query<Row>(sqlText: string, params?: unknown[]): Promise<Row[]>;
}

/** The SQL port: one query code (Kysely) over PGlite or PostgreSQL. */
export interface SqlDatabase {
  readonly kind: 'pglite' | 'postgres';
  readonly kysely: Kysely<PlatformTables>;
  /** The same connection pool, typed with a service's own tables. */
  typed<Tables>(): Kysely<Tables & PlatformTables>;
  /**
   * Runs `work` in one transaction holding the advisory lock `lockKey`, so concurrent processes
   * (migrations at start) take turns.
   */
  exclusive<T>(lockKey: number, work: (session: ExclusiveSession) => Promise<T>): Promise<T>;
  /** Calls `onNotify` with the payload of every NOTIFY of `channel`; resolves with an unsubscribe function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps them in memory (tests). */
  dataDir: string;
  poolSize?: number;
}

// pg returns int8 and numeric as strings by default; amounts and sequence numbers here fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

function postgresDatabase(url: string, poolSize: number): SqlDatabase {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Statements a store marked `prepared` run as named prepared statements (prepared-statements.ts).
  nameMarkedStatements(pool);
  const kysely = new Kysely<PlatformTables>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    kysely,
    typed: <Tables>() => kysely as unknown as Kysely<Tables & PlatformTables>,
    async exclusive(lockKey, work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
        const result = await work({
          exec: async (sqlText) => {
            await client.query(sqlText);
          },
          query: async <Row>(sqlText: string, params: unknown[] = []) =>
            (await client.query(sqlText, params)).rows as Row[],
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel, onNotify) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return async () => {
        await client.end().catch(() => undefined);
      };
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await kysely.destroy();
    },
  };
}

async function pgliteDatabase(dataDir: string): Promise<SqlDatabase> {
  let location = dataDir;
  if (!dataDir.startsWith('memory://')) {
    location = join(dataDir, 'pglite');
    await prepareClusterDirectory(location);
  }
  const pglite = await PGlite.create(location, { startParams: PGLITE_START_PARAMS });
  const kysely = new Kysely<PlatformTables>({ dialect: new PGliteDialect({ pglite }) });
  return {
    kind: 'pglite',
    kysely,
    typed: <Tables>() => kysely as unknown as Kysely<Tables & PlatformTables>,
    // One embedded instance serves one process and its transactions run one at a time, so the
    // transaction itself is the exclusive section.
    exclusive: (_lockKey, work) =>
      pglite.transaction((tx) =>
        work({
          exec: async (sqlText) => {
            await tx.exec(sqlText);
          },
          query: async <Row>(sqlText: string, params: unknown[] = []) => (await tx.query<Row>(sqlText, params)).rows,
        }),
      ),
    async listen(channel, onNotify) {
      const unlisten = await pglite.listen(channel, onNotify);
      return unlisten;
    },
    async ping() {
      await pglite.query('SELECT 1');
    },
    async close() {
      await kysely.destroy();
    },
  };
}

/** PostgreSQL when `databaseUrl` is set, the embedded PGlite in `dataDir` otherwise. */
export async function createDatabase(options: DatabaseOptions): Promise<SqlDatabase> {
  return options.databaseUrl
    ? postgresDatabase(options.databaseUrl, options.poolSize ?? 10)
    : pgliteDatabase(options.dataDir);
}
