/**
 * Prometheus for real: the alert rules (deploy/prometheus/alerts.yml) pass `promtool check rules` and
 * their unit tests (alerts.test.yml); then a Prometheus (Debian's package, from
 * scripts/infra/prometheus.sh) on a free port with a data dir of its own scrapes the whole backend
 * started in this process (on whatever the environment names), with the jobs of the example config
 * (deploy/prometheus/prometheus.yml) pointed at the backend's ports, and its HTTP API answers the series
 * the dashboards and alerts read, with the rules loaded and evaluating.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ServiceNames } from '@necp/platform';
import { realKafkaBrokers } from '@necp/platform/testing';
import { type E2eBackend, startE2eBackend } from '../e2e/support/backend.ts';
import { toolPaths } from './support/tool-paths.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const rulesDir = join(root, 'deploy/prometheus');
/** Prometheus starts, scrapes and evaluates every second here: a state is reached in seconds. */
const STATE_DEADLINE_MS = 60_000;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}
interface RuleGroup {
  name: string;
  rules: { name: string; type: string; health: string; lastError?: string; state?: string }[];
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + STATE_DEADLINE_MS;
  let last: unknown;
  for (;;) {
    const value = await probe().catch((error: unknown) => {
      last = error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${STATE_DEADLINE_MS / 1000} s (${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  assert.ok(address && typeof address === 'object');
  return address.port;
}

describe('Prometheus against the running backend', { timeout: 10 * 60_000 }, () => {
  let tools: Record<'PROMETHEUS' | 'PROMTOOL', string>;
  let backend: E2eBackend | undefined;
  let prometheus: ChildProcess | undefined;
  let prometheusLog = '';
  let api: string;
  let workDir: string | undefined;

  async function query(expression: string): Promise<Sample[]> {
    const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as { status: string; data: { result: Sample[] }; error?: string };
    assert.equal(body.status, 'success', `${expression}: ${body.error}`);
    return body.data.result;
  }

  before(
    async () => {
      tools = await toolPaths('prometheus.sh');
      backend = await startE2eBackend();
      const running = backend.backend;
      workDir = await mkdtemp(join(tmpdir(), 'necp-prometheus-'));
      // The example's jobs, one a service, at this backend's ports. JSON is YAML.
      const config = {
        global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
        rule_files: [join(rulesDir, 'alerts.yml')],
        scrape_configs: ServiceNames.map((name) => ({
          job_name: name,
          metrics_path: '/metrics',
          static_configs: [{ targets: [`127.0.0.1:${running.portOf(name)}`] }],
        })),
      };
      const configFile = join(workDir, 'prometheus.yml');
      await writeFile(configFile, JSON.stringify(config, null, 2));
      const port = await freePort();
      api = `http://127.0.0.1:${port}`;
      prometheus = spawn(
        tools.PROMETHEUS,
        [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${join(workDir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      prometheus.stderr?.on('data', (chunk: Buffer) => {
        prometheusLog = `${prometheusLog}${chunk}`.slice(-4000);
      });
      await waitFor('Prometheus is ready', async () => {
        assert.equal(prometheus?.exitCode, null, `Prometheus exited: ${prometheusLog}`);
        return (await fetch(`${api}/-/ready`)).ok || undefined;
      });
    },
    { timeout: 5 * 60_000 },
  );
  after(async () => {
    if (prometheus && prometheus.exitCode === null && prometheus.signalCode === null) {
      const exited = once(prometheus, 'exit');
      prometheus.kill('SIGTERM');
      const stopped = await Promise.race([
        exited.then(() => true),
        new Promise((resolve) => setTimeout(resolve, 10_000, false)),
      ]);
      if (!stopped) prometheus.kill('SIGKILL');
    }
    await backend?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('accepts the alert rules and the example scrape config (promtool check)', async () => {
    const rules = await run(tools.PROMTOOL, ['check', 'rules', join(rulesDir, 'alerts.yml')]);
    assert.match(rules.stdout, /SUCCESS: 8 rules found/);
    const config = await run(tools.PROMTOOL, ['check', 'config', join(rulesDir, 'prometheus.yml')]);
    assert.match(config.stdout, /is valid prometheus config file syntax/);
  });

  it('fires the alerts on synthetic series where they should, and only there (promtool test rules)', async () => {
    const { stdout } = await run(tools.PROMTOOL, ['test', 'rules', 'alerts.test.yml'], { cwd: rulesDir }).catch(
      (error: { stdout: string; stderr: string }) => assert.fail(`${error.stdout}${error.stderr}`),
    );
    assert.match(stdout, /SUCCESS/);
  });

  it('scrapes every service: each target up, `up` = 1 for each', async () => {
    const targets = await waitFor('every target is up', async () => {
      const response = await fetch(`${api}/api/v1/targets?state=active`);
      const { data } = (await response.json()) as { data: { activeTargets: Target[] } };
      const up = data.activeTargets.filter((target) => target.health === 'up');
      return up.length === ServiceNames.length ? data.activeTargets : undefined;
    });
    assert.deepEqual(targets.map((target) => target.labels.job).sort(), [...ServiceNames].sort());
    const up = await query('up');
    assert.deepEqual(
      up.map((sample) => [sample.metric.job, sample.value[1]]).sort(),
      [...ServiceNames].sort().map((name) => [name, '1']),
    );
  });

  it("counts the gateway's requests, times them, and reports the outbox and the runtime", async () => {
    assert.ok(backend);
    const gateway = backend.gateway;
    const health = 'sum(http_requests_total{job="gateway",service="gateway",route="/api/v1/health",status="200"})';
    const signIns = 'sum(http_requests_total{job="gateway",service="gateway",method="POST",status="200"})';
    const counted = Number((await query(health))[0]?.value[1] ?? 0);
    const requests = 12;
    for (let sent = 0; sent < requests; sent++) {
      const response = await fetch(`${gateway}/api/v1/health`);
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    const signIn = await fetch(`${gateway}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: backend.adminPassword }),
    });
    assert.equal(signIn.status, 200, await signIn.text());
    // The counters as Prometheus scraped them, once a scrape after the requests happened.
    const [healthChecks, posts] = await waitFor('a scrape sees the requests', async () => {
      const values = await Promise.all(
        [health, signIns].map(async (each) => Number((await query(each))[0]?.value[1] ?? 0)),
      );
      return values[0] === counted + requests && values[1] === 1 ? values : undefined;
    });
    assert.deepEqual([healthChecks, posts], [counted + requests, 1]);
    const timed = await query('sum(http_request_duration_seconds_count{job="gateway",service="gateway"})');
    assert.ok(Number(timed[0]?.value[1]) >= requests, JSON.stringify(timed));
    // The auth service behind the gateway answered the sign-in, under its own name (its target is
    // scraped on its own schedule: wait for a scrape of it after the sign-in too).
    const authSignIns = await waitFor('a scrape of auth sees the sign-in', async () => {
      const auth = await query('sum(http_requests_total{job="auth",service="auth",method="POST"})');
      const count = Number(auth[0]?.value[1] ?? 0);
      return count >= 1 ? count : undefined;
    });
    assert.ok(authSignIns >= 1);
    // Process-wide series: the outbox gauges the outbox alert reads, and Node's runtime.
    for (const series of ['outbox_lag_seconds', 'outbox_backlog', 'process_resident_memory_bytes']) {
      const samples = await query(`${series}{job="economy"}`);
      assert.equal(samples.length, 1, `${series}: ${JSON.stringify(samples)}`);
      assert.ok(Number.isFinite(Number(samples[0]?.value[1])), series);
    }
  });

  it('reports the consumer lag the consumer-lag alert reads on Kafka, and none on the in-process bus', async () => {
    if (!realKafkaBrokers) {
      assert.deepEqual(await query('kafka_consumer_lag'), []);
      return;
    }
    // The gauge is counted per scrape from the members' assignments, once the groups have joined.
    const lag = await waitFor('consumer lag reported', async () => {
      const samples = await query('sum by (group, topic) (kafka_consumer_lag{job="economy"})');
      return samples.some((sample) => sample.metric.group === 'platform.dead-letters') ? samples : undefined;
    });
    for (const sample of lag) {
      assert.ok(sample.metric.group && sample.metric.topic, JSON.stringify(sample.metric));
      assert.ok(Number(sample.value[1]) >= 0);
    }
    assert.ok(lag.some((sample) => sample.metric.topic?.endsWith('.dlq')));
  });

  it('loads alerts.yml and evaluates every rule against the scraped series without error', async () => {
    const groups = await waitFor('every rule evaluated', async () => {
      const response = await fetch(`${api}/api/v1/rules?type=alert`);
      const { data } = (await response.json()) as { data: { groups: RuleGroup[] } };
      const rules = data.groups.flatMap((group) => group.rules);
      return rules.length > 0 && rules.every((rule) => rule.health !== 'unknown') ? data.groups : undefined;
    });
    assert.deepEqual(
      // Prometheus lists the groups by name.
      groups.map((group) => [group.name, group.rules.map((rule) => rule.name)]),
      [
        [
          'necp-events',
          ['NecpOutboxLag', 'NecpOutboxSlotInactive', 'NecpOutboxSlotLag', 'NecpConsumerLag', 'NecpDeadLetters'],
        ],
        ['necp-http', ['NecpHighErrorRate', 'NecpHighLatencyP95']],
        ['necp-targets', ['NecpTargetDown']],
      ],
    );
    for (const rule of groups.flatMap((group) => group.rules)) {
      assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError}`);
      // A healthy backend just started: nothing fires.
      assert.equal(rule.state, 'inactive', rule.name);
    }
  });
});
