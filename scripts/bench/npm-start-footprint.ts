/**
 * `npm start`'s footprint: how long the seven services in one process (PGlite, the in-process bus
 * and cache) take to be ready from a fresh data directory, the memory they hold once ready and at
 * their peak, beside a bare Node process and a bare Fastify hello-world started the same way in
 * the same run. Ready is measured from the spawn to the process's ready line (npm's own start
 * included for `npm start`); RSS is the backend's node process once ready, peak its high-water mark
 * (VmHWM). CPU is the process's own at ready: on a busy machine it says more than the wall clock.
 * Targets (issue 26): under 300 MiB once ready, under 500 MiB at the peak, ready in under 4 s.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeServicePorts } from '@necp/all-in-one/free-ports';
import { recordFigures, reportLine } from './results.ts';

const root = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.env.FOOTPRINT_RUNS ?? 3);
/** How long after its ready line a process is left before its resident memory is read. */
const SETTLE_MS = 1_000;
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const TARGETS = { readyMiB: 300, peakMiB: 500, readyMs: 4_000 };

interface Footprint {
  process: string;
  readyMs: number;
  cpuMsAtReady: number;
  readyMiB: number;
  peakMiB: number;
}

/** The environment of a start on the embedded adapters: no real server named, logs quiet. */
function embeddedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error', ...extra };
  for (const variable of ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS', 'OTEL_EXPORTER_OTLP_ENDPOINT'] as const)
    delete env[variable];
  return env;
}

async function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  if (!match) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]);
}

async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** The pid of the process under `parent` whose command line contains `marker` (npm runs node under it). */
async function descendantRunning(parent: number, marker: string): Promise<number> {
  const children = (await readFile(`/proc/${parent}/task/${parent}/children`, 'utf8')).split(' ').filter(Boolean);
  for (const child of children.map(Number)) {
    const commandLine = (await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (commandLine.includes(marker)) return child;
    const deeper = await descendantRunning(child, marker).catch(() => undefined);
    if (deeper !== undefined) return deeper;
  }
  throw new Error(`no process running ${marker} under ${parent}`);
}

/**
 * Spawns `command`, waits for `readyLine` on its output, and reads the footprint of the process
 * running `marker` (the spawned one itself when unset), then stops it with SIGTERM.
 */
async function measure(
  name: string,
  command: string[],
  options: { env: NodeJS.ProcessEnv; readyLine: RegExp; marker?: string },
): Promise<Footprint> {
  const started = performance.now();
  const [file, ...args] = command as [string, ...string[]];
  const child: ChildProcess = spawn(file, args, { cwd: root, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.readyLine.test(output)) resolve();
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}):\n${output}`)));
  });
  const readyMs = performance.now() - started;
  if (child.pid === undefined) throw new Error(`${name} has no pid`);
  const pid = options.marker ? await descendantRunning(child.pid, options.marker) : child.pid;
  const cpuMsAtReady = await cpuMs(pid);
  await sleep(SETTLE_MS);
  const footprint = {
    process: name,
    readyMs: Math.round(readyMs),
    cpuMsAtReady: Math.round(cpuMsAtReady),
    readyMiB: Math.round((await statusKiB(pid, 'VmRSS')) / 1024),
    peakMiB: Math.round((await statusKiB(pid, 'VmHWM')) / 1024),
  };
  child.kill('SIGTERM');
  await exited;
  return footprint;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

function medianOf(name: string, runs: Footprint[]): Footprint {
  return {
    process: `${name} (median of ${runs.length})`,
    readyMs: median(runs.map((run) => run.readyMs)),
    cpuMsAtReady: median(runs.map((run) => run.cpuMsAtReady)),
    readyMiB: median(runs.map((run) => run.readyMiB)),
    peakMiB: median(runs.map((run) => run.peakMiB)),
  };
}

const bareNode = await measure(
  'bare Node',
  [process.execPath, '-e', 'console.log("ready"); setInterval(() => {}, 1000)'],
  {
    env: embeddedEnv({}),
    readyLine: /ready/,
  },
);
const bareFastify = await measure(
  'bare Fastify hello-world',
  [
    process.execPath,
    '--input-type=module',
    '-e',
    `import Fastify from 'fastify';
     const app = Fastify();
     app.get('/', async () => ({ hello: 'world' }));
     await app.listen({ port: 0, host: '127.0.0.1' });
     console.log('ready');`,
  ],
  { env: embeddedEnv({}), readyLine: /ready/ },
);

/** `npm start` on a data directory of its own, on free ports, as a newcomer runs it. */
async function npmStart(dataDir: string): Promise<Footprint> {
  const { ports } = await freeServicePorts();
  const portVariables = Object.fromEntries(
    Object.entries(ports).map(([service, port]) => [`${service.toUpperCase()}_PORT`, String(port)]),
  );
  return measure('npm start', ['npm', 'start'], {
    env: embeddedEnv({ ...portVariables, DATA_DIR: dataDir }),
    readyLine: /Ctrl-C stops it/,
    marker: 'apps/all-in-one/src/main.ts',
  });
}

const fresh: Footprint[] = [];
const dataDirs: string[] = [];
try {
  for (let run = 0; run < RUNS; run += 1) {
    const dataDir = await mkdtemp(join(tmpdir(), 'necp-footprint-'));
    dataDirs.push(dataDir);
    fresh.push(await npmStart(dataDir));
  }
  // The same data directory again: the cluster and its migrations are there already.
  const restart = await npmStart(dataDirs[0] as string);
  const freshMedian = medianOf('npm start, fresh data directory', fresh);
  const rows = [
    bareNode,
    bareFastify,
    freshMedian,
    { ...restart, process: 'npm start, restart on its data directory' },
  ];
  console.table(
    rows.map((row) => ({
      process: row.process,
      'ready ms': row.readyMs,
      'CPU ms at ready': row.cpuMsAtReady,
      'RSS MiB once ready': row.readyMiB,
      'peak MiB': row.peakMiB,
    })),
  );
  recordFigures(
    `npm start footprint (seven services on PGlite, in-process bus and cache) vs bare Node and bare Fastify, fresh data directory; ready = spawn to ready line`,
    rows,
    bareFastify,
  );
  reportLine(
    `npm start, fresh data directory: ${freshMedian.readyMiB} MiB once ready (target < ${TARGETS.readyMiB}; bare Fastify ${bareFastify.readyMiB}), peak ${freshMedian.peakMiB} MiB (target < ${TARGETS.peakMiB}), ready in ${freshMedian.readyMs} ms (target < ${TARGETS.readyMs}; bare Fastify ${bareFastify.readyMs} ms, ${freshMedian.cpuMsAtReady} ms of CPU)`,
    {
      readyMiB: freshMedian.readyMiB,
      peakMiB: freshMedian.peakMiB,
      readyMs: freshMedian.readyMs,
      cpuMsAtReady: freshMedian.cpuMsAtReady,
      readyMiBTargetMet: freshMedian.readyMiB < TARGETS.readyMiB,
      peakMiBTargetMet: freshMedian.peakMiB < TARGETS.peakMiB,
      readyMsTargetMet: freshMedian.readyMs < TARGETS.readyMs,
    },
  );
} finally {
  await Promise.all(dataDirs.map((dataDir) => rm(dataDir, { recursive: true, force: true })));
}
