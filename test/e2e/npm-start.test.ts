/**
 * `npm start` as a newcomer runs it: through npm, with nothing set but ports and a data directory.
 * Moving the services to other ports is the `<SERVICE>_PORT` variables alone, the banner says when a
 * service cannot reach its issuer, and SIGTERM to npm stops the backend with it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freeServicePorts } from '@necp/all-in-one/free-ports';

const root = new URL('../../', import.meta.url).pathname;

interface NpmStart {
  child: ChildProcess;
  banner: string;
  exited: Promise<void>;
}

/** `npm start` with `env` on top of the machine's environment (no real servers): resolves once its banner is out. */
async function npmStart(env: Record<string, string>): Promise<NpmStart> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error', ...env };
  for (const variable of ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS', 'NODE_TEST_CONTEXT'] as const)
    delete childEnv[variable];
  // A process group of its own, so the cleanup can end npm and the backend together whatever a test did.
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const banner = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ctrl-C stops it/.test(output)) resolve(output);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code, signal) => reject(new Error(`npm start exited (${code ?? signal}):\n${output}`)));
  });
  return { child, banner, exited };
}

const refusesConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

async function withStart(env: Record<string, string>, check: (started: NpmStart) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'necp-npm-start-'));
  const started = await npmStart({ ...env, DATA_DIR: dataDir });
  try {
    await check(started);
  } finally {
    const group = started.child.pid;
    if (group !== undefined && started.child.exitCode === null && started.child.signalCode === null) {
      process.kill(-group, 'SIGKILL');
      await started.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('npm start, as a newcomer runs it', () => {
  it('moves every service with <SERVICE>_PORT alone, serves players there, and stops with SIGTERM to npm', async () => {
    const { ports } = await freeServicePorts();
    const portVariables = Object.fromEntries(
      Object.entries(ports).map(([name, port]) => [`${name.toUpperCase()}_PORT`, String(port)]),
    );
    const password = `Pw-${randomUUID()}`;
    await withStart(
      { ...portVariables, SEED_ADMIN_PASSWORD: password, SEED_ARBITER_PASSWORD: password },
      async ({ child, banner, exited }) => {
        assert.match(banner, /NECP backend ready in/);
        const gateway = `http://127.0.0.1:${ports.gateway}`;
        const login = await fetch(`${gateway}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ login: 'admin', password }),
        });
        assert.equal(login.status, 200);
        const { access_token: token } = (await login.json()) as { access_token: string };
        const created = await fetch(`${gateway}/api/v1/characters`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ name: 'Port Mover', origin: 'nomad', class: 'techie' }),
        });
        assert.equal(created.status, 201, await created.text());

        child.kill('SIGTERM');
        await exited;
        assert.equal(child.exitCode, 0, 'npm ends cleanly once the backend drained');
        for (const port of Object.values(ports))
          assert.equal(await refusesConnections(port), true, `port ${port} still open`);
      },
    );
  });

  it('says in its banner which service cannot reach the issuer', async () => {
    const { ports } = await freeServicePorts();
    await withStart(
      {
        GATEWAY_PORT: String(ports.gateway),
        AUTH_PORT: String(ports.auth),
        CHARACTER_PORT: String(ports.character),
        GAMEPLAY_PORT: String(ports.gameplay),
        SOCIAL_PORT: String(ports.social),
        ECONOMY_PORT: String(ports.economy),
        WORLD_PORT: String(ports.world),
        // Nothing listens on the discard port: every service but auth itself loses its issuer's keys.
        AUTH_URL: 'http://127.0.0.1:9',
      },
      async ({ banner }) => {
        assert.match(banner, /NOT READY/);
        assert.match(banner, /economy: issuer: the issuer's keys at http:\/\/127\.0\.0\.1:9\/\.well-known\/jwks\.json/);
        assert.doesNotMatch(banner, /\n {2}auth: issuer/);
      },
    );
  });
});
