/**
 * `npm start` as a process of its own (`node apps/all-in-one/src/main.ts`), on a data directory (or
 * a PostgreSQL database) and Redis key prefix of its own that outlive the process, so a test can kill
 * it as a crash would (SIGKILL) or stop it (SIGTERM) and start it again on the same data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeServicePorts } from '@necp/all-in-one/free-ports';
import { createFreshDatabase, type FreshDatabase, realRedisUrl } from '@necp/platform/testing';
import { Redis } from 'ioredis';

const root = new URL('../../../', import.meta.url).pathname;
const main = join(root, 'apps/all-in-one/src/main.ts');

export interface SpawnedBackend {
  gateway: string;
  adminPassword: string;
  /** Starts the process (again) on the same data and ports; resolves once it printed that it is ready. */
  start(): Promise<void>;
  /** Ends the process with `signal` (SIGKILL: as a crash) and waits for it to exit. */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Deletes every Redis key of this backend (what a Redis restart without persistence leaves); false without Redis. */
  flushRedis(): Promise<boolean>;
  /** Stops the process and removes its data. */
  close(): Promise<void>;
}

export async function spawnBackend(settings: Record<string, string> = {}): Promise<SpawnedBackend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'necp-spawned-'));
  const database: FreshDatabase = await createFreshDatabase();
  const { ports, urls } = await freeServicePorts();
  const adminPassword = `admin-${randomUUID()}`;
  const prefix = `necp-spawned-${randomUUID()}:`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...urls,
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [`${name.toUpperCase()}_PORT`, String(port)])),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    AUTH_ISSUER_URL: `http://127.0.0.1:${ports.gateway}`,
    AUTH_KEY_ENCRYPTION_SECRET: `spawned-${randomUUID()}`,
    SEED_ADMIN_PASSWORD: adminPassword,
    SEED_ARBITER_PASSWORD: `arbiter-${randomUUID()}`,
    ECONOMY_CLIENT_SECRET: `economy-${randomUUID()}`,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'error',
    ...settings,
  };
  if (database.url) env.DATABASE_URL = database.url;
  // Events stay in the process: a journey of its own, not a replica of other backends' consumer groups.
  delete env.KAFKA_BROKERS;
  delete env.NODE_TEST_CONTEXT;
  let child: ChildProcess | undefined;
  let exited: Promise<void> | undefined;

  const stop = async (signal: 'SIGKILL' | 'SIGTERM') => {
    if (!child) return;
    child.kill(signal);
    await exited;
    child = undefined;
  };
  const flushRedis = async (): Promise<boolean> => {
    if (!realRedisUrl) return false;
    const redis = new Redis(realRedisUrl);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    return true;
  };
  return {
    gateway: `http://127.0.0.1:${ports.gateway}`,
    adminPassword,
    async start() {
      const started = spawn(process.execPath, [main], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the backend did not start in 90 s:\n${output}`)), 90_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('NECP backend ready')) {
            clearTimeout(timer);
            resolve();
          }
        };
        started.stdout?.on('data', read);
        started.stderr?.on('data', read);
        started.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`the backend exited (${code ?? signal}) before it was ready:\n${output}`));
        });
      });
    },
    stop,
    flushRedis,
    async close() {
      await stop('SIGKILL');
      await flushRedis();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
