/**
 * Character sheet reads per second, in both shapes (one process = the all-in-one of npm start;
 * per-service = gateway, auth and character each in a process of their own): a bare Fastify
 * hello-world in the same run (the target is a share of its rate), character-service directly,
 * the same read through the gateway with a verified bearer token, and the gateway read
 * revalidated with If-None-Match (304). The backend runs in a child process (this file with
 * `--serve`) so the load generator does not share its event loop.
 */
import Fastify from 'fastify';
import { type CpuUse, measureCpu, printCpuTable } from './cpu-use.ts';
import { announceTargets, serveInChild } from './fixtures/served-backend.ts';
import { type LoadOptions, type LoadResult, load, printTable } from './load.ts';
import { reportLine } from './results.ts';

/** The read through the gateway must reach this share of bare Fastify's rate, under this p99 (ms). */
const TargetShare = 0.12;
const TargetP99Ms = 20;
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

type Topology = 'one-process' | 'per-service';

interface Targets {
  bare: number;
  gateway: number;
  character: number;
  token: string;
  characterId: string;
  etag: string;
  /** The gateway's own process in the per-service shape: its CPU is counted apart. */
  gatewayPid?: number | undefined;
  /** Each service's own process (per-service), counted apart in the CPU table. */
  pids: Partial<Record<string, number>>;
}

async function serve(topology: Topology): Promise<void> {
  const { startBenchBackend, startServiceProcesses } = await import('./fixtures/bench-backend.ts');
  const bare = Fastify();
  bare.get('/hello', async () => ({ hello: 'world' }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddress = bare.server.address();
  const { ports, pids, issuer, stop } =
    topology === 'per-service'
      ? await startServiceProcesses(['auth', 'character', 'gateway'])
      : await startBenchBackend();
  const token = await issuer.token({ expiresInSeconds: 3600 });
  const created = await fetch(`http://127.0.0.1:${ports.gateway}/api/v1/characters`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Bench ${Date.now().toString(36)}`, origin: 'corpo', class: 'solo' }),
  });
  const sheet = (await created.json()) as { characterId?: string; etag?: string };
  if (created.status !== 201 || !sheet.characterId || !sheet.etag) {
    throw new Error(`creating the bench character failed: ${created.status} ${JSON.stringify(sheet)}`);
  }
  const targets: Targets = {
    bare: typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0,
    gateway: ports.gateway,
    character: ports.character,
    token,
    characterId: sheet.characterId,
    etag: sheet.etag,
    gatewayPid: pids.gateway,
    pids,
  };
  announceTargets(targets, async () => {
    await stop();
    await bare.close();
  });
}

async function measureShape(topology: Topology): Promise<void> {
  const backend = await serveInChild<Targets>(new URL(import.meta.url).pathname, [topology]);
  const { child, targets } = backend;
  try {
    const seconds = Number(process.env.BENCH_SECONDS ?? 5);
    const cpuRows: { name: string; cpu: CpuUse }[] = [];
    // CPU per read by process: a figure the other load on the machine disturbs less than the rate.
    const measured = async (options: LoadOptions): Promise<LoadResult> => {
      const { result, cpu } = await measureCpu(
        () => load(options),
        (done) => done.requestsPerSecond * seconds,
        child.pid,
        targets.gatewayPid,
        targets.pids,
      );
      cpuRows.push({ name: result.name, cpu });
      return result;
    };
    const path = `/api/v1/characters/${targets.characterId}`;
    const headers = { authorization: `Bearer ${targets.token}` };
    const gatewayUrl = `http://127.0.0.1:${targets.gateway}${path}`;
    // A fresh backend is still compiling its hot code: warmed untimed first.
    if (WARMUP_SECONDS > 0) await load({ name: 'warm-up', url: gatewayUrl, headers, durationSeconds: WARMUP_SECONDS });
    const bare = await load({
      name: `${topology}: bare Fastify GET /hello`,
      url: `http://127.0.0.1:${targets.bare}/hello`,
    });
    const direct = await measured({
      name: `${topology}: GET sheet, character-service direct`,
      url: `http://127.0.0.1:${targets.character}${path}`,
      headers,
    });
    const viaGateway: LoadResult = await measured({
      name: `${topology}: GET sheet via gateway`,
      url: gatewayUrl,
      headers,
    });
    const revalidated = await measured({
      name: `${topology}: GET sheet via gateway, If-None-Match (304)`,
      url: gatewayUrl,
      headers: { ...headers, 'if-none-match': targets.etag },
    });
    printTable(
      `Character sheet reads, ${topology} (autocannon, 50 connections; the backend in child processes, 2 cores)`,
      [bare, direct, viaGateway, revalidated],
      bare,
    );
    printCpuTable(`Character sheet reads, ${topology}: CPU ms per read by process`, cpuRows);
    const share = viaGateway.requestsPerSecond / bare.requestsPerSecond;
    const met = share >= TargetShare && viaGateway.p99Ms < TargetP99Ms;
    reportLine(
      `${topology}: sheet via gateway = ${(share * 100).toFixed(1)}% of bare Fastify, p99 ${viaGateway.p99Ms} ms ` +
        `(target ≥ ${TargetShare * 100}%, p99 < ${TargetP99Ms} ms: ${met ? 'met' : 'not met'})`,
      { topology, share, p99Ms: viaGateway.p99Ms, met },
    );
    // A 304 is not 2xx to autocannon; only the reads themselves must be clean.
    if (direct.non2xx + viaGateway.non2xx + direct.errors + viaGateway.errors > 0) {
      process.stdout.write('warning: some sheet reads failed; the figures above are not clean\n');
    }
  } finally {
    await backend.stop();
  }
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex >= 0) await serve((process.argv[serveIndex + 1] as Topology | undefined) ?? 'one-process');
else {
  // Per-service needs Kafka and PostgreSQL (infra.sh's exports); without them, the one shape only.
  const shapes: Topology[] =
    process.env.DATABASE_URL && process.env.KAFKA_BROKERS ? ['one-process', 'per-service'] : ['one-process'];
  const chosen = process.env.BENCH_TOPOLOGIES?.split(',') as Topology[] | undefined;
  for (const topology of chosen ?? shapes) await measureShape(topology);
}
