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
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { createRuntime, loadPlatformConfig } from '@necp/platform';
import { startTestIssuer } from '@necp/platform/testing';

const SOCKETS = Number(process.env.BENCH_STREAM_SOCKETS ?? 10_000);
const UPDATES = Number(process.env.BENCH_STREAM_UPDATES ?? 20);
/** Accounts the sockets are spread over (a player has a socket or two; the gateway indexes by account). */
const ACCOUNTS = 100;
/** Between two updates: each is delivered before the next is published, so none waits behind another. */
const UPDATE_SPACING_MS = 300;
const WARMUP_UPDATES = 5;

if (!process.env.KAFKA_BROKERS) {
  console.log('realtime-sockets: skipped (needs KAFKA_BROKERS: source the exports of scripts/infra.sh up)');
  process.exit(0);
}

const wallClock = () => performance.timeOrigin + performance.now();

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
}

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
const gateway = spawn(process.execPath, [new URL('../../services/gateway/src/main.ts', import.meta.url).pathname], {
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
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
    [new URL('./fixtures/realtime-load-generator.ts', import.meta.url).pathname],
    {
      env: {
        ...process.env,
        BENCH_STREAM_URL: `${base.replace('http', 'ws')}/api/v1/stream`,
        BENCH_STREAM_TOKENS: JSON.stringify(tokens),
        BENCH_STREAM_SOCKETS: String(sockets),
        BENCH_STREAM_UPDATES: String(UPDATES),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: generator.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('the load generator stopped early');
    return JSON.parse(line.value) as Record<string, number>;
  };
  const connected = await nextLine();
  // Settled: what the sockets cost once open, not the handshakes' garbage.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = await residentBytes(gateway.pid as number);
  for (let index = 0; index < WARMUP_UPDATES; index++) await publishUpdate('warmup');
  for (let index = 0; index < UPDATES; index++) {
    await publishUpdate(`bench:${wallClock()}`);
    await new Promise((resolve) => setTimeout(resolve, UPDATE_SPACING_MS));
  }
  const timed = await nextLine();
  await exited(generator);
  const open = connected.open ?? 0;
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
  console.table(
    [baseline, loaded].map((each) => ({
      phase: each.name,
      'sockets held': each.sockets,
      refused: each.failed,
      // One socket's share of the process's growth is noise; the figure is the loaded phase's.
      'KiB per socket': each.sockets > 1 ? round(each.bytesPerSocket / 1024) : '-',
      delivered: `${each.received}/${each.expected}`,
      'p50 ms': round(each.p50Ms),
      'p99 ms': round(each.p99Ms),
      'max ms': round(each.maxMs),
    })),
  );
  console.log(
    `realtime-sockets: ${loaded.sockets} of ${SOCKETS} sockets held (target 10,000), p99 ${round(loaded.p99Ms)} ms ` +
      `(target < 250 ms; ${round(loaded.p99Ms / baseline.p99Ms, 2)}× the single socket's), ` +
      `${round(loaded.bytesPerSocket / 1024)} KiB per socket`,
  );
} finally {
  gateway.kill('SIGTERM');
  await exited(gateway);
  await publisher.close();
  await issuer.close();
}
