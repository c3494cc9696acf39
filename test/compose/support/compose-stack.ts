/**
 * deploy/compose brought up on this machine's Docker engine for a test: the engine (scripts/infra/docker.sh),
 * the local stand-ins of the third-party images (scripts/infra/compose-standins.sh), the backend image built
 * from this checkout (rebuilt only for what changed, Docker's layer cache), an env file of throwaway secrets,
 * and a project name of its own, so the stack never meets another one on the engine.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBackendImage } from '../../deploy/support/backend-image.ts';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const composeFile = join(root, 'deploy/compose/compose.yaml');
const BUFFER = 64 * 1024 * 1024;

export const docker = async (...args: string[]) =>
  (await run('docker', args, { cwd: root, maxBuffer: BUFFER })).stdout.trim();

/**
 * The Compose CLI here: the v2 plugin (`docker compose`) when the engine has it, else Debian's docker-compose
 * (v1), which honours `deploy.replicas` with --compatibility.
 */
async function composeCli(): Promise<string[]> {
  try {
    await run('docker', ['compose', 'version']);
    return ['docker', 'compose'];
  } catch {
    return ['docker-compose', '--compatibility'];
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const secret = (name: string) => `${name}-${randomUUID()}`;

export interface ComposeStack {
  /** The published gateway's base address. */
  gateway: string;
  adminPassword: string;
  /** `docker compose <args>` on this stack's project. */
  compose(...args: string[]): Promise<string>;
  /** The ids of a service's running containers. */
  containersOf(service: string): Promise<string[]>;
  /** Stops and removes every container, network and volume of the stack. */
  down(): Promise<void>;
}

const HEALTHY_WITHIN_MS = 5 * 60_000;

/**
 * Waits until every running container of the project passes its health check. The gateway's own readiness
 * asks one replica of each service, whichever Docker's DNS names; a replica still starting (a minute on a
 * loaded machine) refuses connections, and a test that kills the other one would then measure a start-up,
 * not a failover.
 */
async function everyContainerHealthy(project: string): Promise<void> {
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  for (;;) {
    const ids = (await docker('ps', '--quiet', '--filter', `label=com.docker.compose.project=${project}`)).split('\n');
    const states = (
      await docker('inspect', '--format', '{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', ...ids)
    ).split('\n');
    const waiting = states.filter((state) => !state.endsWith(' healthy'));
    if (waiting.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`not healthy within ${HEALTHY_WITHIN_MS / 1000} s: ${waiting.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

export async function upComposeStack(settings: Record<string, string> = {}): Promise<ComposeStack> {
  const image = 'necp-backend:compose-test';
  await buildBackendImage(image);
  const { stdout: standins } = await run(join(root, 'scripts/infra/compose-standins.sh'), [], { maxBuffer: BUFFER });
  const port = await freePort();
  const adminPassword = secret('Admin');
  const environment: Record<string, string> = {
    NECP_IMAGE: image,
    GATEWAY_PUBLISHED_PORT: `127.0.0.1:${port}`,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    POSTGRES_USER: 'necp',
    POSTGRES_PASSWORD: secret('postgres'),
    POSTGRES_DB: 'necp',
    AUTH_KEY_ENCRYPTION_SECRET: secret('key-encryption'),
    SEED_ADMIN_PASSWORD: adminPassword,
    SEED_ARBITER_PASSWORD: secret('Arbiter'),
    EDGE_VOUCH_KEY: secret('edge-vouch'),
    ...Object.fromEntries(
      ['GATEWAY', 'CHARACTER', 'GAMEPLAY', 'SOCIAL', 'ECONOMY', 'WORLD'].map((service) => [
        `${service}_CLIENT_SECRET`,
        secret(service.toLowerCase()),
      ]),
    ),
    // The images compose-standins.sh tagged (the official names compose.yaml uses by default).
    ...Object.fromEntries(
      standins
        .trim()
        .split('\n')
        .map((line) => line.split('=', 2)),
    ),
    ...settings,
  };
  const directory = await mkdtemp(join(tmpdir(), 'necp-compose-'));
  const envFile = join(directory, '.env');
  await writeFile(
    envFile,
    Object.entries(environment)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
    { mode: 0o600 },
  );
  const project = `necpcompose${randomBytes(4).toString('hex')}`;
  const cli = await composeCli();
  const compose = async (...args: string[]) => {
    const [command = 'docker', ...rest] = cli;
    const { stdout } = await run(
      command,
      [...rest, '--project-name', project, '--file', composeFile, '--env-file', envFile, ...args],
      { cwd: root, maxBuffer: BUFFER },
    );
    return stdout.trim();
  };
  const stack: ComposeStack = {
    gateway: `http://127.0.0.1:${port}`,
    adminPassword,
    compose,
    async containersOf(service) {
      // Compose labels every container with its project and service (v1 and v2 alike); `docker ps` lists running ones.
      const ids = await docker(
        'ps',
        '--quiet',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--filter',
        `label=com.docker.compose.service=${service}`,
      );
      return ids.split('\n').filter(Boolean);
    },
    async down() {
      try {
        await compose('down', '--volumes', '--remove-orphans', '--timeout', '5');
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
  };
  try {
    await compose('up', '--detach');
    await everyContainerHealthy(project);
  } catch (error) {
    const logs = await compose('logs', '--tail', '30').catch(() => '');
    await stack.down().catch(() => undefined);
    throw new Error(`docker compose up failed: ${(error as Error).message}\n${logs}`);
  }
  return stack;
}
