/**
 * The realtime stream at scale: how many authenticated sockets one gateway process holds, the
 * memory each costs it, and the delivery latency (p50, p99) of a world update to all of them,
 * from its publication on Kafka to its arrival on each socket (target: 10,000 sockets, p99 under
 * 250 ms). The baseline, measured in the same run, is the same update to a single socket: the
 * fixed cost of Kafka and the gateway, which fan-out adds to.
 *
 * Three processes: the gateway (`services/gateway/src/main.ts`, on the real Kafka and Redis of
 * infra.sh's exports), the load generator (`fixtures/realtime-load-generator.ts`, the sockets'
 * client side) and this one, which issues the tokens and publishes the updates.
 * BENCH_STREAM_SOCKETS (10,000) and BENCH_STREAM_UPDATES (20) size the run.
 *
 * How latency is measured: an update carries the time it was handed to the Kafka producer, read
 * from CLOCK_MONOTONIC (`process.hrtime`, one clock for every process of a Linux machine); the
 * generator reads the same clock when a socket's bytes reach it. Per update it also reports the
 * first socket's latency (Kafka and the gateway's consumer: the fixed path) and the last one's
 * (the fixed path plus the whole fan-out). Since latency on a shared machine is as noisy as its
 * load, the CPU each process spent per delivered message (from /proc) is printed beside it.
 * BENCH_STREAM_CPU_PROF=<dir> writes `--cpu-prof` profiles of the gateway and the generator there.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { createRuntime, loadPlatformConfig } from '@necp/platform';
import { startTestIssuer } from '@necp/platform/testing';
import { recordFigures, reportLine } from './results.ts';

const SOCKETS = Number(process.env.BENCH_STREAM_SOCKETS ?? 10_000);
const UPDATES = Number(process.env.BENCH_STREAM_UPDATES ?? 20);
/** Accounts the sockets are spread over (a player has a socket or two; the gateway indexes by account). */
const ACCOUNTS = 100;
/**
 * Each update is published once the previous one reached every socket (and this pause passed), so
 * none waits behind another: the figure is the latency of one update, not a queue's.
 */
const UPDATE_GAP_MS = 100;
/** How long an update may take to reach every socket before the next is published anyway. */
const DELIVERY_WAIT_MS = 10_000;
/** Updates before the timed ones (their fan-out warms the gateway's code up), not timed. */
const WARMUP_UPDATES = 5;
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

if (!process.env.KAFKA_BROKERS) {
  console.log('realtime-sockets: skipped (needs KAFKA_BROKERS: source the exports of scripts/infra.sh up)');
  process.exit(0);
}

/** CLOCK_MONOTONIC in ms: the generator reads the same clock. */
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;
const profileDir = process.env.BENCH_STREAM_CPU_PROF;
const profiled = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** CPU time (user + system, every thread) a process has used, in ms. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

interface Phase {
  name: string;
  sockets: number;
  failed: number;
  bytesPerSocket: number;
  received: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Per update: the first socket's latency, the last one's (median over the updates). */
  firstMs: number;
  lastMs: number;
  /** CPU per delivered message while the updates were timed, in µs. */
  gatewayCpuUs: number;
  generatorCpuUs: number;
}

/** A line of the generator's stdout. */
type Said = Record<string, number> & { kind: string; firstMs: number[]; lastMs: number[] };

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const issuer = await startTestIssuer();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  DATA_DIR: 'memory://',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  GATEWAY_PORT: String(port),
  OIDC_ISSUER: issuer.issuer,
  RATE_LIMIT_PUBLIC_PER_MINUTE: '100000000',
  RATE_LIMIT_ACCOUNT_PER_MINUTE: '100000000',
};
const gateway = spawn(
  process.execPath,
  [...profiled, new URL('../../services/gateway/src/main.ts', import.meta.url).pathname],
  {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
// The publisher: this process's Kafka producer, as a service's outbox relay publishes.
const publisher = await createRuntime(
  loadPlatformConfig({ ...env, KAFKA_CLIENT_ID: 'bench-realtime-publisher' }),
  'bench-realtime',
);
const { bus } = publisher;

async function untilReady(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(`${base}/ready`).then(
      (response) => response.ok,
      () => false,
    ))
  ) {
    if (gateway.exitCode !== null) throw new Error(`the gateway exited with ${gateway.exitCode}`);
    if (Date.now() > deadline) throw new Error('the gateway was not ready in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function publishUpdate(sourceId: string): Promise<void> {
  const payload = {
    impactId: randomUUID(),
    districtId: 'watson',
    previousLevel: 40,
    newLevel: 41,
    delta: 1,
    tier: 'unrest',
    sourceType: 'bench',
    sourceId,
    minor: true,
    recommendations: [],
  };
  const envelope = {
    eventId: randomUUID(),
    type: 'world.unrest.updates',
    occurredAt: new Date().toISOString(),
    producer: 'bench',
    traceId: randomUUID().replaceAll('-', ''),
    key: 'watson',
    payload,
  };
  await bus.publish([{ topic: 'world.unrest.updates', key: 'watson', envelope, headers: {} }]);
}

/** One phase: the generator opens `sockets`, then every update is timed on every socket. */
async function phase(name: string, sockets: number, tokens: string[]): Promise<Phase> {
  const before = await residentBytes(gateway.pid as number);
  const generator = spawn(
    process.execPath,
    [...profiled, new URL('./fixtures/realtime-load-generator.ts', import.meta.url).pathname],
    {
      env: {
        ...process.env,
        BENCH_STREAM_URL: `${base.replace('http', 'ws')}/api/v1/stream`,
        BENCH_STREAM_TOKENS: JSON.stringify(tokens),
        BENCH_STREAM_SOCKETS: String(sockets),
        BENCH_STREAM_UPDATES: String(UPDATES),
        BENCH_STREAM_WARMUP: String(WARMUP_UPDATES),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const said: Said[] = [];
  let wake = () => {};
  createInterface({ input: generator.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    said.push(JSON.parse(line) as Said);
    wake();
  });
  const stopped = exited(generator);
  /** The generator's next line of this kind (and update); undefined when it did not come in time. */
  const heard = async (kind: string, timeoutMs: number, update?: number): Promise<Said | undefined> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = said.findIndex((line) => line.kind === kind && (update === undefined || line.update === update));
      if (index >= 0) return said.splice(index, 1)[0];
      if (generator.exitCode !== null) throw new Error(`the load generator exited with ${generator.exitCode}`);
      if (Date.now() >= deadline) return undefined;
      // The deadline's timer is cleared once something else woke the wait: a long one left pending
      // would keep the process alive after the bench ends.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
        stopped,
        new Promise((resolve) => {
          timer = setTimeout(resolve, deadline - Date.now());
        }),
      ]);
      clearTimeout(timer);
    }
  };
  const connected = await heard('connected', 600_000);
  if (!connected) throw new Error('the load generator never connected');
  // Settled: what the sockets cost once open, not the handshakes' garbage.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = await residentBytes(gateway.pid as number);
  let gatewayCpuBefore = 0;
  for (let index = 0; index < WARMUP_UPDATES + UPDATES; index++) {
    if (index === WARMUP_UPDATES) gatewayCpuBefore = await cpuMs(gateway.pid as number);
    await publishUpdate(`bench:${index}:${monotonicMs()}`);
    await heard('delivered', DELIVERY_WAIT_MS, index);
    await new Promise((resolve) => setTimeout(resolve, UPDATE_GAP_MS));
  }
  const timed = await heard('latencies', DELIVERY_WAIT_MS);
  if (!timed) throw new Error('the load generator did not report its latencies');
  const gatewayCpu = (await cpuMs(gateway.pid as number)) - gatewayCpuBefore;
  const series = (values: number[]) => values.map((value) => Math.round(value)).join(' ');
  console.log(`${name}, each update's first socket (ms): ${series(timed.firstMs)}`);
  console.log(`${name}, each update's last socket (ms):  ${series(timed.lastMs)}`);
  await stopped;
  const open = connected.open ?? 0;
  const delivered = Math.max(1, timed.received ?? 0);
  return {
    name,
    sockets: open,
    failed: connected.failed ?? 0,
    bytesPerSocket: open > 0 ? (after - before) / open : Number.NaN,
    received: timed.received ?? 0,
    expected: timed.expected ?? 0,
    p50Ms: timed.p50Ms ?? Number.NaN,
    p99Ms: timed.p99Ms ?? Number.NaN,
    maxMs: timed.maxMs ?? Number.NaN,
    firstMs: median(timed.firstMs),
    lastMs: median(timed.lastMs),
    gatewayCpuUs: (gatewayCpu * 1000) / delivered,
    generatorCpuUs: ((timed.cpuMs ?? Number.NaN) * 1000) / delivered,
  };
}

try {
  await untilReady();
  const tokens = await Promise.all(
    Array.from({ length: ACCOUNTS }, () => issuer.token({ accountId: randomUUID(), expiresInSeconds: 3600 })),
  );
  const baseline = await phase('baseline: 1 socket', 1, tokens);
  const loaded = await phase(`${SOCKETS} sockets`, SOCKETS, tokens);
  const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);
  const rows = [baseline, loaded].map((each) => ({
    phase: each.name,
    'sockets held': each.sockets,
    refused: each.failed,
    // One socket's share of the process's growth is noise; the figure is the loaded phase's.
    'KiB per socket': each.sockets > 1 ? round(each.bytesPerSocket / 1024) : '-',
    delivered: `${each.received}/${each.expected}`,
    'p50 ms': round(each.p50Ms),
    'p99 ms': round(each.p99Ms),
    'max ms': round(each.maxMs),
    'first socket ms': round(each.firstMs),
    'last socket ms': round(each.lastMs),
    'gateway CPU µs/msg': round(each.gatewayCpuUs),
    'generator CPU µs/msg': round(each.generatorCpuUs),
  }));
  console.table(rows);
  recordFigures('realtime-sockets: world update to every socket (latency on CLOCK_MONOTONIC)', rows.slice(1), rows[0]);
  const met = loaded.sockets >= 10_000 && loaded.p99Ms < 250;
  reportLine(
    `realtime-sockets: ${loaded.sockets} of ${SOCKETS} sockets held (target 10,000), p99 ${round(loaded.p99Ms)} ms ` +
      `(target < 250 ms; ${round(loaded.p99Ms / baseline.p99Ms, 2)}× the single socket's), ` +
      `${round(loaded.bytesPerSocket / 1024)} KiB per socket; per update, the fan-out took the last socket ` +
      `${round(loaded.lastMs - loaded.firstMs)} ms after the first (median)`,
    {
      sockets: loaded.sockets,
      p50Ms: round(loaded.p50Ms),
      p99Ms: round(loaded.p99Ms),
      kibPerSocket: round(loaded.bytesPerSocket / 1024),
      baselineP99Ms: round(baseline.p99Ms),
      met,
    },
  );
} finally {
  gateway.kill('SIGTERM');
  await exited(gateway);
  await publisher.close();
  await issuer.close();
}
