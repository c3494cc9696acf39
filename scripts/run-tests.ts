/**
 * Runs one phase of the test suite with Node's test runner:
 *   unit         <package>/test/unit/**        pure rules, no servers
 *   integration  <package>/test/integration/** against whatever the environment names: PGlite, the
 *                in-process bus and memory without variables; PostgreSQL, Redis (and Kafka) with them
 *   real         <package>/test/real/**        needs the real servers (two processes on one database,
 *                and test/real/**              a broker stopped and started, the backend behind Debezium, ...)
 *   e2e          test/e2e/**                   journeys through the gateway
 *   deploy       test/deploy/**                the container image (and what deploys it) on a Docker engine
 *   compose      test/compose/**               deploy/compose's whole stack on a Docker engine, a replica killed
 * Extra arguments narrow the run to files whose path contains one of them.
 */

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const phases = ['unit', 'integration', 'real', 'e2e', 'deploy', 'compose'] as const;
type Phase = (typeof phases)[number];
const phase = process.argv[2] as Phase;
const filters = process.argv.slice(3);
if (!phases.includes(phase)) {
  process.stderr.write(`usage: run-tests.ts ${phases.join('|')} [path filter...]\n`);
  process.exit(2);
}

const root = new URL('..', import.meta.url).pathname;

function testFiles(directory: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return testFiles(path);
    return entry.endsWith('.test.ts') ? [path] : [];
  });
}

const workspaces = ['packages', 'services', 'apps'].flatMap((group) => {
  try {
    return readdirSync(join(root, group)).map((name) => join(root, group, name));
  } catch {
    return [];
  }
});
const files = (
  phase === 'e2e' || phase === 'deploy' || phase === 'compose'
    ? testFiles(join(root, 'test', phase))
    : [...workspaces, ...(phase === 'real' ? [root] : [])].flatMap((w) => testFiles(join(w, 'test', phase)))
)
  .map((file) => relative(root, file))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

if (files.length === 0) {
  process.stdout.write(`no ${phase} tests${filters.length ? ` matching ${filters.join(', ')}` : ''}\n`);
  process.exit(0);
}
process.stdout.write(`\n== ${phase} tests (${files.length} files) ==\n`);
// Files under the root test/ start a whole backend and run one at a time: two on one Kafka broker
// are two replicas of every consumer group over different databases, each taking the other's events
// (a character's created event consumed by the other backend's economy: no starting kit). In the
// real phase they run after the packages' files, which run two at a time.
const wholeBackend = files.filter((file) => file.startsWith('test/'));
const packageFiles = files.filter((file) => !file.startsWith('test/'));
/** Far above a phase's longest run here (about 3 min), far below CI's 90. */
const phaseDeadlineMs = Number(process.env.TEST_PHASE_DEADLINE_MINUTES ?? 20) * 60_000;
const startedAt = Date.now();

function runFiles(batch: string[], concurrency: number | string): number {
  if (batch.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-reporter=spec',
      `--test-concurrency=${concurrency}`,
      '--test-timeout=120000',
      // No --test-force-exit: with concurrency it drops the last verdicts of a file from the report
      // (nodejs/node#64833), failing ones included. A file that leaves a handle open is stopped by the
      // phase's deadline below instead, and the run fails saying so.
      ...batch,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      timeout: Math.max(1, phaseDeadlineMs - (Date.now() - startedAt)),
      killSignal: 'SIGKILL',
    },
  );
  if (result.error && 'code' in result.error && result.error.code === 'ETIMEDOUT') {
    process.stderr.write(
      `${phase} tests did not end within ${phaseDeadlineMs / 60_000} min: a test file left a handle open\n`,
    );
  }
  return result.status ?? 1;
}

const packagesStatus = runFiles(packageFiles, process.env.TEST_CONCURRENCY ?? 2);
const wholeBackendStatus = runFiles(wholeBackend, 1);
process.exit(packagesStatus || wholeBackendStatus);
