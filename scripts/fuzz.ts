/**
 * Contract fuzzing: the whole backend as `npm start` runs it (one process, embedded adapters, its
 * own DATA_DIR, free ports), and Schemathesis (scripts/infra/schemathesis.sh) over every service's
 * OpenAPI document, sent to the service directly and through the gateway (`/docs/specs/<service>.json`),
 * and over the gateway's own document; each as a player and as an admin, with every check and a
 * bounded number of examples. Fails on any failure of any check; the deliberate exceptions are in
 * scripts/fuzz/schemathesis.toml.
 *
 *   node scripts/fuzz.ts            FUZZ_EXAMPLES (default 25) examples per operation, FUZZ_SEED (default 28)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeServicePorts } from '@necp/all-in-one/free-ports';
import type { ServiceName } from '@necp/platform';

const repo = new URL('..', import.meta.url).pathname;
const examples = process.env.FUZZ_EXAMPLES ?? '25';
const seed = process.env.FUZZ_SEED ?? '28';
const adminPassword = `Fuzz-admin-${randomUUID()}`;
/** The services with documents of their own (the gateway's forwarded operations are fuzzed through it). */
const services: ServiceName[] = ['character', 'economy', 'gameplay', 'social', 'world', 'auth'];

function log(line: string): void {
  process.stdout.write(`[fuzz] ${line}\n`);
}

async function startBackend(dataDir: string) {
  const { ports, urls } = await freeServicePorts();
  const gateway = `http://127.0.0.1:${ports.gateway}`;
  const env: NodeJS.ProcessEnv = { ...process.env, ...urls, HOST: '127.0.0.1', DATA_DIR: dataDir };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS', 'OIDC_ISSUER']) delete env[name];
  for (const [service, port] of Object.entries(ports)) env[`${service.toUpperCase()}_PORT`] = String(port);
  Object.assign(env, {
    AUTH_ISSUER_URL: gateway,
    SEED_ADMIN_PASSWORD: adminPassword,
    SEED_ARBITER_PASSWORD: `Fuzz-arbiter-${randomUUID()}`,
    LOG_LEVEL: 'warn',
    // Thousands of requests from one address: the limits are the gateway's own tests' business.
    RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000',
    RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
    RATE_LIMIT_SIMULATIONS_PER_MINUTE: '1000000',
    RATE_LIMIT_CRAFTING_JOBS_PER_MINUTE: '1000000',
    RATE_LIMIT_WORLD_IMPACTS_PER_MINUTE: '1000000',
  });
  const logFile = join(dataDir, '..', 'backend.log');
  const output = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(repo, 'apps/all-in-one/src/main.ts')], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(output);
  child.stderr?.pipe(output);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  for (let attempt = 0; ; attempt++) {
    const health = await fetch(`${gateway}/api/v1/health`).catch(() => undefined);
    if (health?.ok) break;
    const gone = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('waiting'), 250))]);
    if (gone !== 'waiting' || attempt > 240) {
      throw new Error(`the backend did not start:\n${await readFile(logFile, 'utf8').catch(() => '')}`);
    }
  }
  return { ports, gateway, child, exited, logFile };
}

async function stopBackend(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function call(url: string, method: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A new account for each run, so that what one run does to its account (a logout, a ban) stays there. */
function accounts(gateway: string) {
  let made = 0;
  const login = async (name: string, password: string) =>
    (await call(`${gateway}/api/v1/auth/login`, 'POST', { login: name, password })).access_token as string;
  return async (role: 'player' | 'admin'): Promise<string> => {
    made += 1;
    const username = `fuzz_${role.slice(0, 1)}${made}_${randomUUID().slice(0, 6)}`;
    const password = `Fuzz-${randomUUID()}`;
    const account = await call(`${gateway}/api/v1/auth/register`, 'POST', {
      email: `${username}@example.test`,
      username,
      password,
    });
    if (role === 'admin') {
      const admin = await login('admin', adminPassword);
      await call(
        `${gateway}/api/v1/auth/accounts/${account.accountId}/roles`,
        'PUT',
        { roles: ['player', 'admin'] },
        admin,
      );
    }
    return login(username, password);
  };
}

interface Target {
  name: string;
  document: string;
  baseUrl: string;
}

async function targetsOf(ports: Record<ServiceName, number>, gateway: string): Promise<Target[]> {
  const targets: Target[] = [];
  for (const service of services) {
    const direct = `http://127.0.0.1:${ports[service]}`;
    targets.push({ name: `${service} (direct)`, document: `${direct}/openapi.json`, baseUrl: direct });
    const throughGateway = `${gateway}/docs/specs/${service}.json`;
    const paths = ((await call(throughGateway, 'GET', undefined)).paths ?? {}) as Record<string, unknown>;
    // A service none of whose routes the gateway forwards yet has nothing to fuzz there.
    if (Object.keys(paths).length > 0) {
      targets.push({ name: `${service} (through the gateway)`, document: throughGateway, baseUrl: gateway });
    }
    if (service === 'world') {
      targets.push({ name: 'gateway (its own routes)', document: `${gateway}/openapi.json`, baseUrl: gateway });
    }
  }
  return targets;
}

function runSchemathesis(binary: string, target: Target, token: string): Promise<{ ok: boolean; output: string }> {
  const args = [
    '--config-file',
    join(repo, 'scripts/fuzz/schemathesis.toml'),
    'run',
    target.document,
    '--url',
    target.baseUrl,
    '--checks',
    'all',
    '--max-examples',
    examples,
    '--seed',
    seed,
    '--generation-database',
    'none',
    '--no-color',
  ];
  return new Promise((resolve) => {
    const child = spawn(binary, args, {
      cwd: repo,
      env: { ...process.env, FUZZ_ACCESS_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => resolve({ ok: code === 0, output }));
  });
}

const started = performance.now();
const binary = execFileSync(join(repo, 'scripts/infra/schemathesis.sh'), {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();
const workDir = await mkdtemp(join(tmpdir(), 'necp-fuzz-'));
const backend = await startBackend(join(workDir, 'data'));
let failed = 0;
try {
  const account = accounts(backend.gateway);
  const targets = await targetsOf(backend.ports, backend.gateway);
  log(`${targets.length} documents x player and admin, ${examples} examples per operation, seed ${seed}`);
  // auth last: its runs end sessions and change accounts (each run has accounts of its own anyway).
  for (const role of ['player', 'admin'] as const) {
    for (const target of targets) {
      const runStarted = performance.now();
      const result = await runSchemathesis(binary, target, await account(role));
      const summary = result.output.trim().split('\n').at(-1)?.replaceAll('=', '').trim();
      const seconds = ((performance.now() - runStarted) / 1000).toFixed(1);
      log(`${result.ok ? 'ok  ' : 'FAIL'} ${target.name} as ${role}: ${summary} (${seconds} s)`);
      if (!result.ok) {
        failed += 1;
        process.stdout.write(`${result.output}\n`);
      }
    }
  }
} finally {
  await stopBackend(backend.child, backend.exited);
  if (failed > 0) log(`backend log: ${backend.logFile}`);
  else await rm(workDir, { recursive: true, force: true });
}
const total = ((performance.now() - started) / 1000).toFixed(0);
log(failed === 0 ? `no failures (${total} s)` : `${failed} runs with failures (${total} s)`);
process.exit(failed === 0 ? 0 : 1);
