/**
 * The database, cache and configuration of a test. They follow the environment, so one test file
 * runs against PGlite and the in-memory cache (no variables) and against the real PostgreSQL and
 * Redis that `scripts/infra.sh up` exports (DATABASE_URL, REDIS_URL).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Cache, MemoryCache, RedisCache } from '../cache/cache.ts';
import { loadPlatformConfig, type PlatformConfig } from '../config.ts';
import { createDatabase, type SqlDatabase } from '../sql/database.ts';
import { migrate, platformMigrations } from '../sql/migrations.ts';

export const realDatabaseUrl = process.env.DATABASE_URL;
export const realRedisUrl = process.env.REDIS_URL;
export const realKafkaBrokers = process.env.KAFKA_BROKERS;
export const adapterLabel = realDatabaseUrl ? 'postgres' : 'pglite';

export interface TestDatabase {
  db: SqlDatabase;
  /** The fresh database's URL on PostgreSQL (for a second process), undefined on PGlite. */
  url: string | undefined;
  /** Another connection pool to the same database (a second replica). */
  connectAgain(): Promise<SqlDatabase>;
  close(): Promise<void>;
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export interface FreshDatabase {
  /** A database of its own on PostgreSQL; undefined on PGlite, where every instance is its own. */
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * A fresh PostgreSQL database when DATABASE_URL names a server, so tests that run side by side
 * never share tables (or auth-service's sealed signing keys); dropped by `drop`.
 */
export async function createFreshDatabase(): Promise<FreshDatabase> {
  if (!realDatabaseUrl) return { url: undefined, drop: async () => undefined };
  const name = `necp_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: realDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabaseName(realDatabaseUrl, name),
    async drop() {
      const cleanup = new pg.Client({ connectionString: realDatabaseUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** A fresh, migrated database: its own PostgreSQL database (dropped at close) or an in-memory PGlite. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const shouldMigrate = options.migrate ?? true;
  const fresh = await createFreshDatabase();
  if (!fresh.url) {
    const db = await createDatabase({ dataDir: 'memory://' });
    if (shouldMigrate) await migrate(db, [platformMigrations]);
    return {
      db,
      url: undefined,
      connectAgain: async () => {
        throw new Error('PGlite is one connection in one process; a second replica needs PostgreSQL');
      },
      close: () => db.close(),
    };
  }
  const test = await connectTestDatabase(fresh.url, { migrate: shouldMigrate });
  return {
    ...test,
    async close() {
      await test.close();
      await fresh.drop();
    },
  };
}

/**
 * The PostgreSQL database at `url`, which its creator drops: replicas of a service sharing one
 * database each connect this way.
 */
export async function connectTestDatabase(url: string, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const db = await createDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 20 });
  if (options.migrate ?? true) await migrate(db, [platformMigrations]);
  const extra: SqlDatabase[] = [];
  return {
    db,
    url,
    async connectAgain() {
      const again = await createDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 20 });
      extra.push(again);
      return again;
    },
    close: async () => {
      await Promise.all([db, ...extra].map((each) => each.close()));
    },
  };
}

/** Redis under a prefix of its own when REDIS_URL is set, memory otherwise. */
export function createTestCache(): Cache {
  return realRedisUrl ? new RedisCache(realRedisUrl, `test:${randomBytes(6).toString('hex')}:`) : new MemoryCache();
}

/** Configuration for a test process: quiet logs, data in memory unless the environment names servers. */
export function testConfig(overrides: Record<string, string> = {}): PlatformConfig {
  return loadPlatformConfig({ DATA_DIR: 'memory://', LOG_LEVEL: 'silent', ...process.env, ...overrides });
}
