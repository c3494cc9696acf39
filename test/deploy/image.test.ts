/**
 * The container image (deploy/docker/Dockerfile) built here and run against the real PostgreSQL,
 * Redis and Kafka of scripts/infra.sh: it serves players, runs as a non-root user, reports healthy,
 * refuses an unknown SERVICE, and drains on `docker stop`. The Docker engine and the local stand-in of
 * the public base image come from the project's scripts (scripts/infra/docker.sh, node-base-image.sh).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { freeServicePorts } from '@necp/all-in-one/free-ports';
import { createFreshDatabase, type FreshDatabase, realKafkaBrokers, realRedisUrl } from '@necp/platform/testing';
import { buildBackendImage } from './support/backend-image.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const image = 'necp-backend:test';
/** Building the base image (debootstrap) and the image itself on a fresh machine takes minutes. */
const BUILD_TIMEOUT_MS = 20 * 60_000;

const docker = async (...args: string[]) =>
  (await run('docker', args, { cwd: root, maxBuffer: 64 * 1024 * 1024 })).stdout.trim();

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 120_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${deadlineMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('the container image against the real servers', { timeout: BUILD_TIMEOUT_MS + 10 * 60_000 }, () => {
  let database: FreshDatabase;
  let container: string;
  let gateway: string;
  const adminPassword = `Admin-${randomUUID()}`;

  before(
    async () => {
      assert.ok(realRedisUrl && realKafkaBrokers, 'the deploy phase runs with scripts/infra.sh exports');
      await buildBackendImage(image);
      database = await createFreshDatabase();
      const { ports } = await freeServicePorts();
      gateway = `http://127.0.0.1:${ports.gateway}`;
      const env = {
        SERVICE: 'all-in-one',
        DATABASE_URL: database.url ?? '',
        REDIS_URL: realRedisUrl,
        REDIS_KEY_PREFIX: `necp-image-${randomUUID()}:`,
        KAFKA_BROKERS: realKafkaBrokers,
        SEED_ADMIN_PASSWORD: adminPassword,
        SEED_ARBITER_PASSWORD: `Arbiter-${randomUUID()}`,
        AUTH_KEY_ENCRYPTION_SECRET: `image-${randomUUID()}`,
        ECONOMY_CLIENT_SECRET: `economy-${randomUUID()}`,
        ...Object.fromEntries(
          Object.entries(ports).map(([name, port]) => [`${name.toUpperCase()}_PORT`, String(port)]),
        ),
      };
      container = await docker(
        'run',
        '-d',
        '--network',
        'host',
        ...Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
        image,
      );
    },
    { timeout: BUILD_TIMEOUT_MS },
  );
  after(async () => {
    if (container) await docker('rm', '-f', container).catch(() => undefined);
    await database?.drop();
  });

  it('serves a player through the gateway, on PostgreSQL, Redis and Kafka', async () => {
    const token = await waitFor('the admin signs in', async () => {
      const response = await fetch(`${gateway}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'admin', password: adminPassword }),
      });
      return response.ok ? ((await response.json()) as { access_token: string }).access_token : undefined;
    });
    const created = await fetch(`${gateway}/api/v1/characters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Boxed Runner', origin: 'corpo', class: 'netrunner' }),
    });
    const body = await created.text();
    assert.equal(created.status, 201, body);
    const { characterId } = JSON.parse(body) as { characterId: string };
    // The starting eddies travel characters.lifecycle → Kafka → economy inside the container.
    const balance = await waitFor('the starting eddies arrive', async () => {
      const wallet = await fetch(`${gateway}/api/v1/economy/wallets/${characterId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await wallet.json()) as { balances?: { asset: string; available: number }[] };
      const eddies = body.balances?.find((each) => each.asset === 'EDD')?.available;
      return eddies && eddies > 0 ? eddies : undefined;
    });
    assert.equal(balance, 2500);
    const health = (await (await fetch(`${gateway}/api/v1/health`)).json()) as { status: string };
    assert.equal(health.status, 'ready');
  });

  it('runs as a non-root user and reports healthy through its HEALTHCHECK', async () => {
    assert.equal(await docker('exec', container, 'id', '-u'), '1000');
    const status = await waitFor('docker reports the container healthy', async () => {
      const state = await docker('inspect', '--format', '{{.State.Health.Status}}', container);
      return state === 'healthy' ? state : undefined;
    });
    assert.equal(status, 'healthy');
  });

  it('refuses a SERVICE it does not know, naming the ones it does', async () => {
    await assert.rejects(
      docker('run', '--rm', '-e', 'SERVICE=nope', image),
      (error: Error & { code?: number; stderr?: string }) => {
        assert.equal(error.code, 64);
        assert.match(error.stderr ?? '', /SERVICE must be one of gateway, auth/);
        return true;
      },
    );
  });

  it("migrates a database and exits (SERVICE=migrate, the Helm chart's hook Job), then finds nothing to do", async () => {
    const fresh = await createFreshDatabase();
    try {
      const migrate = () =>
        docker('run', '--rm', '--network', 'host', '-e', 'SERVICE=migrate', '-e', `DATABASE_URL=${fresh.url}`, image);
      assert.match(await migrate(), /migrate: [1-9]\d* migration\(s\) applied: platform\/001/);
      assert.equal(await migrate(), 'migrate: 0 migration(s) applied');
    } finally {
      await fresh.drop();
    }
  });

  it('drains and exits 0 on docker stop (SIGTERM)', async () => {
    await docker('stop', '--time', '30', container);
    assert.equal(await docker('inspect', '--format', '{{.State.ExitCode}}', container), '0');
    const { stdout, stderr } = await run('docker', ['logs', container], { maxBuffer: 64 * 1024 * 1024 });
    assert.match(`${stdout}${stderr}`, /shutting down: draining requests/);
  });
});
