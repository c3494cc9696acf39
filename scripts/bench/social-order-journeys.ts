/**
 * Complete player-order journeys per second through the gateway: create → publish (the escrow lock
 * at economy) → apply → accept → start → deliver → complete, each worker one customer and one
 * executor in a loop; then every journey's escrow must have been released by economy (the money
 * settled) and the ledger audit balanced. Beside it, in the same run, the economy-transfers
 * baseline: P2P transfers through the same gateway. The backend runs in a child process (this file
 * with `--serve`) so the load generator does not share its event loop. Targets (issue 22): at least
 * 200 journeys/s on this machine, p99 of a single transition under 50 ms.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { type CpuUse, measureCpu, printCpuTable } from './cpu-use.ts';
import { announceTargets, serveInChild } from './fixtures/served-backend.ts';
import { type LoadResult, printTable } from './load.ts';
import { printStatements, resetStatements } from './pg-statements.ts';

const WORKERS = Number(process.env.BENCH_SOCIAL_WORKERS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** The baseline's sender → receiver pairs: each wallet in one pair only, as in economy's own bench. */
const TRANSFER_PAIRS = Number(process.env.BENCH_ECONOMY_PAIRS ?? 64);

interface Party {
  characterId: string;
  token: string;
}

interface Targets {
  gateway: number;
  admin: string;
  pairs: { customer: Party; executor: Party }[];
  /** The baseline's own wallets, apart from the journeys' (a sender never waits on another's row lock). */
  transferPairs: { from: Party; to: Party }[];
}

async function serve(): Promise<void> {
  const { startBenchBackend } = await import('./fixtures/bench-backend.ts');
  const { ports, issuer, stop } = await startBenchBackend({
    ...process.env,
    SOCIAL_CLIENT_SECRET: randomUUID(),
    ECONOMY_CLIENT_SECRET: randomUUID(),
    // The gateway's stream asks character-service who owns each event's characters: without its
    // secret every lookup failed and logged a warning with its stack, for each event and character.
    GATEWAY_CLIENT_SECRET: randomUUID(),
  });
  const base = `http://127.0.0.1:${ports.gateway}`;
  const admin = await issuer.token({ roles: ['admin'], expiresInSeconds: 3600 });
  const call = async (path: string, token: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const party = async (): Promise<Party> => {
    const token = await issuer.token({ accountId: randomUUID(), expiresInSeconds: 3600 });
    const created = await call('/api/v1/characters', token, {
      name: `S${randomBytes(6).toString('hex')}`,
      origin: 'corpo',
      class: 'solo',
    });
    if (created.status !== 201) throw new Error(`a bench character: ${created.status} ${JSON.stringify(created.body)}`);
    return { characterId: created.body.characterId as string, token };
  };
  const pairs: Targets['pairs'] = [];
  for (let index = 0; index < WORKERS; index++) pairs.push({ customer: await party(), executor: await party() });
  const transferPairs: Targets['transferPairs'] = [];
  for (let index = 0; index < TRANSFER_PAIRS; index++) transferPairs.push({ from: await party(), to: await party() });
  // Economy learns characters from characters.lifecycle (over Kafka on real servers): calls are retried until it has.
  const deadline = Date.now() + 30_000;
  const untilCreated = async (what: string, path: string, token: string, body: unknown) => {
    for (;;) {
      const answer = await call(path, token, body);
      if (answer.status === 201) return;
      if (Date.now() > deadline) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  for (const who of [...pairs.map((pair) => pair.customer), ...transferPairs.map((pair) => pair.from)]) {
    await untilCreated('grant', '/api/v1/economy/grants', admin, {
      characterId: who.characterId,
      asset: 'EDD',
      amount: 1_000_000_000,
      reason: 'bench float',
    });
  }
  // One transfer per baseline sender before the clock starts, so every receiver is known too.
  for (const { from, to } of transferPairs) {
    await untilCreated('warm-up transfer', '/api/v1/economy/transfers', from.token, {
      fromCharacterId: from.characterId,
      toCharacterId: to.characterId,
      asset: 'EDD',
      amount: 1,
    });
  }
  announceTargets({ gateway: ports.gateway, admin, pairs, transferPairs } satisfies Targets, stop);
}

interface JourneyRun {
  journeys: number;
  orders: string[];
  latencies: number[];
  /** Latencies by step (create, publish, apply, accept, start, deliver, complete). */
  steps: Map<string, number[]>;
  failures: string[];
}

/**
 * Each worker runs journeys back to back until the time is up; every request's latency is kept. The
 * requests go through undici's pool (one keep-alive connection per worker), as lean a client as the
 * baseline's autocannon: `fetch` cost the load generator ten times its CPU per request, taken from the
 * same two cores the backend runs on.
 */
async function journeys(targets: Targets, seconds: number): Promise<JourneyRun> {
  const gateway = new Pool(`http://127.0.0.1:${targets.gateway}`, { connections: targets.pairs.length });
  const run: JourneyRun = { journeys: 0, orders: [], latencies: [], steps: new Map(), failures: [] };
  const post = async (path: string, token: string, body?: unknown) => {
    const step = path.split('/').at(-1) || 'create';
    const started = performance.now();
    const response = await gateway.request({
      path: `/api/v1/social/orders${path}`,
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.body.json()) as Record<string, unknown>;
    const took = performance.now() - started;
    run.latencies.push(took);
    const latencies = run.steps.get(step);
    if (latencies) latencies.push(took);
    else run.steps.set(step, [took]);
    if (response.statusCode >= 300) throw new Error(`${path}: ${response.statusCode} ${String(answer.code)}`);
    return answer;
  };
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    targets.pairs.map(async ({ customer, executor }) => {
      while (Date.now() < until) {
        try {
          const order = await post('', customer.token, {
            customerCharacterId: customer.characterId,
            orderType: 'logistics',
            title: 'Bench run',
            description: 'A package across town',
            districtId: 'watson',
            reward: 100,
            deadline: new Date(Date.now() + 86_400_000).toISOString(),
            accessLevel: 'public',
          });
          const orderId = order.orderId as string;
          await post(`/${orderId}/publish`, customer.token);
          const application = await post(`/${orderId}/applications`, executor.token, {
            characterId: executor.characterId,
          });
          await post(`/${orderId}/applications/${application.applicationId}/accept`, customer.token);
          await post(`/${orderId}/start`, executor.token);
          await post(`/${orderId}/deliver`, executor.token, {});
          await post(`/${orderId}/complete`, customer.token);
          run.journeys += 1;
          run.orders.push(orderId);
        } catch (error) {
          run.failures.push((error as Error).message);
        }
      }
    }),
  );
  await gateway.close();
  return run;
}

/** Waits until economy released every journey's escrow; the seconds it took past the run. */
async function settled(targets: Targets, orders: string[]): Promise<{ released: number; waitMs: number }> {
  const base = `http://127.0.0.1:${targets.gateway}`;
  const started = Date.now();
  let pending = orders;
  while (pending.length > 0 && Date.now() - started < 60_000) {
    const statuses = await Promise.all(
      pending.map(async (orderId) => {
        const response = await fetch(`${base}/api/v1/economy/escrows/${orderId}`, {
          headers: { authorization: `Bearer ${targets.admin}` },
        });
        return ((await response.json()) as { status?: string }).status;
      }),
    );
    pending = pending.filter((_, index) => statuses[index] !== 'released');
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { released: orders.length - pending.length, waitMs: Date.now() - started };
}

function percentile(values: number[], p: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 10) / 10;
}

/**
 * The baseline: P2P transfers of 1 EDD through the same gateway, each request taking the next of
 * the baseline's pairs in turn (distinct wallets: economy's low-contention load).
 */
async function transfers(targets: Targets, seconds: number): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${targets.gateway}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/economy/transfers',
        setupRequest: (request) => {
          const { from, to } = targets.transferPairs[next++ % targets.transferPairs.length] as {
            from: Party;
            to: Party;
          };
          return {
            ...request,
            headers: {
              authorization: `Bearer ${from.token}`,
              'content-type': 'application/json',
              'idempotency-key': randomUUID(),
            },
            body: JSON.stringify({
              fromCharacterId: from.characterId,
              toCharacterId: to.characterId,
              asset: 'EDD',
              amount: 1,
            }),
          };
        },
      },
    ],
  });
  return {
    name: 'economy-transfers baseline (gateway)',
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function measure(): Promise<void> {
  const backend = await serveInChild<Targets>(new URL(import.meta.url).pathname);
  const { child, targets } = backend;
  try {
    if (WARMUP_SECONDS > 0) {
      await transfers(targets, WARMUP_SECONDS);
      // The warm-up's settlements finish before the clock starts, so the baseline does not carry them.
      await settled(targets, (await journeys(targets, WARMUP_SECONDS)).orders);
    }
    // CPU per request (per journey) by part, from /proc: what decides the figures on a shared machine.
    const cpuRows: { name: string; cpu: CpuUse }[] = [];
    const measured = await measureCpu(
      () => transfers(targets, SECONDS),
      (row) => row.requestsPerSecond * SECONDS,
      child.pid,
    );
    const baseline = measured.result;
    cpuRows.push({ name: `${baseline.name}, per transfer`, cpu: measured.cpu });
    await resetStatements();
    const journeyRun = await measureCpu(
      () => journeys(targets, SECONDS),
      (done) => done.journeys,
      child.pid,
    );
    const run = journeyRun.result;
    cpuRows.push({ name: 'order journeys, per journey (7 requests)', cpu: journeyRun.cpu });
    await printStatements('PostgreSQL statements per journey during the run', run.journeys);
    const money = await settled(targets, run.orders);
    const audit = await fetch(`http://127.0.0.1:${targets.gateway}/api/v1/economy/audit`, {
      headers: { authorization: `Bearer ${targets.admin}` },
    }).then((response) => response.json() as Promise<{ balanced?: boolean }>);
    const perSecond = Math.round((run.journeys / SECONDS) * 10) / 10;
    const journeyRow: LoadResult = {
      name: `order journeys (${WORKERS} workers, 7 requests each)`,
      requestsPerSecond: perSecond,
      p50Ms: percentile(run.latencies, 50),
      p99Ms: percentile(run.latencies, 99),
      errors: run.failures.length,
      non2xx: 0,
    };
    const stepRows: LoadResult[] = [...run.steps].map(([step, latencies]) => ({
      name: `  ${step === 'applications' ? 'apply' : step}`,
      requestsPerSecond: Math.round(latencies.length / SECONDS),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      errors: 0,
      non2xx: 0,
    }));
    printTable(
      `Player-order journeys through the gateway (${SECONDS} s; p50/p99 of a single transition) beside P2P transfers (autocannon, ${CONNECTIONS} connections)`,
      [baseline, journeyRow, ...stepRows],
      baseline,
    );
    printCpuTable(
      'CPU milliseconds per transfer / per journey by part, from /proc (the settlements after the run not counted)',
      cpuRows,
    );
    process.stdout.write(
      `journeys/s = ${perSecond} (target ≥ 200: ${perSecond >= 200 ? 'met' : 'not met'}); transition p99 = ${journeyRow.p99Ms} ms (target < 50: ${journeyRow.p99Ms < 50 ? 'met' : 'not met'}); ` +
        `settled ${money.released} of ${run.journeys} escrows ${money.waitMs} ms after the run; ledger audit ${audit.balanced ? 'balanced' : 'NOT balanced'}\n`,
    );
    if (run.failures.length > 0)
      process.stdout.write(`warning: ${run.failures.length} journeys failed, e.g. ${run.failures[0]}\n`);
  } finally {
    await backend.stop();
  }
}

if (process.argv.includes('--serve')) await serve();
else await measure();
