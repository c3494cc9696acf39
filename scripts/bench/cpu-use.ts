/**
 * Where a benchmark row's cores went, from Linux's /proc: CPU time of the backend under test, of
 * PostgreSQL, Kafka and Redis, and of this process (the load generator, and pgbench, which runs as
 * its child), taken before and after the row. Divided by the requests the row completed, it says
 * what one request costs each part, which is what decides the ratio to pgbench on a machine whose
 * cores all of them share.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { recordFigures } from './results.ts';

/** `gateway`: the gateway's own process when it runs apart (per-service); `backend`: the rest of the backend. */
export type CpuPart = 'gateway' | 'backend' | 'postgres' | 'kafka' | 'redis' | 'load generator';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface ProcessTicks {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime. */
  own: number;
  /** cutime + cstime: the children this process has waited for. */
  reaped: number;
}

function readProcesses(): Map<number, ProcessTicks> {
  const processes = new Map<number, ProcessTicks>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let line: string;
    try {
      line = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The command name is in parentheses and may hold spaces; the numbered fields follow it.
    const close = line.lastIndexOf(')');
    const fields = line.slice(close + 2).split(' ');
    processes.set(Number(entry), {
      pid: Number(entry),
      ppid: Number(fields[1]),
      comm: line.slice(line.indexOf('(') + 1, close),
      own: Number(fields[11]) + Number(fields[12]),
      reaped: Number(fields[13]) + Number(fields[14]),
    });
  }
  return processes;
}

function descendantsOf(root: number, processes: Map<number, ProcessTicks>): Set<number> {
  const found = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const { pid, ppid } of processes.values()) {
      if (found.has(ppid) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return found;
}

/** The ports of this run's servers (infra.sh's exports), so that only they are counted. */
function serverPorts(): Partial<Record<'postgres' | 'kafka' | 'redis', number>> {
  const portOf = (address: string | undefined, fallback: number) => {
    if (!address) return undefined;
    try {
      const url = new URL(address.includes('://') ? address : `tcp://${address}`);
      return url.port ? Number(url.port) : fallback;
    } catch {
      return undefined;
    }
  };
  const ports = {
    postgres: portOf(process.env.DATABASE_URL, 5432),
    kafka: portOf(process.env.KAFKA_BROKERS?.split(',')[0], 9092),
    redis: portOf(process.env.REDIS_URL, 6379),
  };
  return Object.fromEntries(Object.entries(ports).filter(([, port]) => port !== undefined));
}

/** The socket inodes listening on each port, from /proc/net/tcp and tcp6. */
function listeningInodes(ports: readonly number[]): Map<string, number> {
  const inodes = new Map<string, number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const port = Number.parseInt(fields[1]?.split(':').pop() ?? '', 16);
      // State 0A: listening.
      if (fields[3] === '0A' && ports.includes(port) && fields[9]) inodes.set(fields[9], port);
    }
  }
  return inodes;
}

let servers: Partial<Record<'postgres' | 'kafka' | 'redis', number>> | undefined;

/**
 * The pid of each of this run's servers (the process listening on its port), found once. On a
 * machine where other people's PostgreSQL, Kafka and Redis run too, a part counted by process name
 * alone would count theirs; a server not found here (not on this machine) is counted by name.
 */
function serverPids(): Partial<Record<'postgres' | 'kafka' | 'redis', number>> {
  if (servers) return servers;
  const ports = serverPorts();
  const inodes = listeningInodes(Object.values(ports));
  const found: Partial<Record<'postgres' | 'kafka' | 'redis', number>> = {};
  for (const entry of inodes.size > 0 ? readdirSync('/proc') : []) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const port = inodes.get(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '');
      const name = (Object.keys(ports) as (keyof typeof ports)[]).find((part) => ports[part] === port);
      // The first owner: a server's children (PostgreSQL's backends) inherit its listening socket.
      if (name && (found[name] === undefined || Number(entry) < (found[name] as number))) found[name] = Number(entry);
    }
  }
  servers = found;
  return found;
}

/** Ticks of each part now; a process that exited is still counted through its parent's `reaped`. */
function ticksByPart(backendPid: number | undefined, gatewayPid: number | undefined): Record<CpuPart, number> {
  const processes = readProcesses();
  const backend = backendPid === undefined ? new Set<number>() : descendantsOf(backendPid, processes);
  const ours = serverPids();
  const postgres = ours.postgres === undefined ? undefined : descendantsOf(ours.postgres, processes);
  const totals: Record<CpuPart, number> = {
    gateway: 0,
    backend: 0,
    postgres: 0,
    kafka: 0,
    redis: 0,
    'load generator': 0,
  };
  for (const proc of processes.values()) {
    const parent = processes.get(proc.ppid);
    let part: CpuPart | undefined;
    if (proc.pid === process.pid) part = 'load generator';
    else if (proc.pid === gatewayPid) part = 'gateway';
    else if (backend.has(proc.pid)) part = 'backend';
    else if (postgres ? postgres.has(proc.pid) : proc.comm === 'postgres') part = 'postgres';
    else if (ours.kafka !== undefined ? proc.pid === ours.kafka : proc.comm === 'java') part = 'kafka';
    else if (ours.redis !== undefined ? proc.pid === ours.redis : proc.comm.startsWith('redis-server')) part = 'redis';
    if (part === undefined) continue;
    // Only the top process of a part counts what it reaped (the postmaster: its exited backends).
    const top =
      part === 'postgres' ? parent?.comm !== 'postgres' : proc.pid === backendPid || part === 'load generator';
    totals[part] += proc.own + (top ? proc.reaped : 0);
  }
  return totals;
}

export interface CpuUse {
  /** CPU milliseconds per completed request, by part. */
  msPerRequest: Record<CpuPart, number>;
  /** CPU milliseconds per completed request of each named process (and its children), when given. */
  msPerRequestByProcess?: Record<string, number>;
  /** Share of the machine's cores idle during the row. */
  idleShare: number;
}

function idleAndTotalTicks(): { idle: number; total: number } {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const values = (cpu ?? '').trim().split(/\s+/).slice(1).map(Number);
  return { idle: (values[3] ?? 0) + (values[4] ?? 0), total: values.reduce((sum, value) => sum + value, 0) };
}

/** Ticks of each named process with its children (a service apart: which of them the backend's CPU went to). */
function ticksByProcess(named: Partial<Record<string, number>>): Record<string, number> {
  const processes = readProcesses();
  const totals: Record<string, number> = {};
  for (const [name, pid] of Object.entries(named)) {
    if (pid === undefined) continue;
    let ticks = 0;
    for (const member of descendantsOf(pid, processes)) {
      const proc = processes.get(member);
      if (proc) ticks += proc.own + (member === pid ? proc.reaped : 0);
    }
    totals[name] = ticks;
  }
  return totals;
}

/**
 * Runs `row` and measures the CPU each part spent on it; `requestsOf` reads the completed requests.
 * `gatewayPid`, one of the backend's processes, is counted apart from the rest of it; each of
 * `processes` (the services of the per-service shape, by name) is also counted on its own.
 */
export async function measureCpu<T>(
  row: () => Promise<T>,
  requestsOf: (result: T) => number,
  backendPid?: number,
  gatewayPid?: number,
  processes: Partial<Record<string, number>> = {},
): Promise<{ result: T; cpu: CpuUse }> {
  const before = ticksByPart(backendPid, gatewayPid);
  const namedBefore = ticksByProcess(processes);
  const machineBefore = idleAndTotalTicks();
  const result = await row();
  const after = ticksByPart(backendPid, gatewayPid);
  const namedAfter = ticksByProcess(processes);
  const machineAfter = idleAndTotalTicks();
  const requests = Math.max(1, requestsOf(result));
  const perRequest = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND / requests;
  const msPerRequest = Object.fromEntries(
    (Object.keys(before) as CpuPart[]).map((part) => [part, perRequest(after[part] - before[part])]),
  ) as Record<CpuPart, number>;
  const byProcess = Object.fromEntries(
    Object.keys(namedBefore).map((name) => [name, perRequest((namedAfter[name] ?? 0) - (namedBefore[name] ?? 0))]),
  );
  const total = machineAfter.total - machineBefore.total;
  return {
    result,
    cpu: {
      msPerRequest,
      ...(Object.keys(byProcess).length > 0 ? { msPerRequestByProcess: byProcess } : {}),
      idleShare: total > 0 ? (machineAfter.idle - machineBefore.idle) / total : 0,
    },
  };
}

export function printCpuTable(title: string, rows: { name: string; cpu: CpuUse }[]): void {
  const parts: CpuPart[] = ['gateway', 'backend', 'postgres', 'kafka', 'redis', 'load generator'];
  recordFigures(title, rows);
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(
    `${'row'.padEnd(60)}${parts.map((part) => part.padStart(16)).join('')}${'total'.padStart(9)}${'idle'.padStart(7)}\n`,
  );
  for (const { name, cpu } of rows) {
    const figures = parts.map((part) => cpu.msPerRequest[part].toFixed(3).padStart(16)).join('');
    const total = parts.reduce((sum, part) => sum + cpu.msPerRequest[part], 0);
    process.stdout.write(
      `${name.padEnd(60)}${figures}${total.toFixed(3).padStart(9)}${`${Math.round(cpu.idleShare * 100)}%`.padStart(7)}\n`,
    );
  }
  const named = [...new Set(rows.flatMap(({ cpu }) => Object.keys(cpu.msPerRequestByProcess ?? {})))];
  if (named.length === 0) return;
  process.stdout.write(`\nThe same rows, CPU ms per request of each service's own process\n`);
  process.stdout.write(`${'row'.padEnd(60)}${named.map((name) => name.padStart(12)).join('')}\n`);
  for (const { name, cpu } of rows) {
    if (!cpu.msPerRequestByProcess) continue;
    const byProcess = cpu.msPerRequestByProcess;
    const figures = named.map((part) => (byProcess[part]?.toFixed(3) ?? '-').padStart(12)).join('');
    process.stdout.write(`${name.padEnd(60)}${figures}\n`);
  }
}
