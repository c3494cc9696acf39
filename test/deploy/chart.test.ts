/**
 * The Helm chart (deploy/helm/necp), checked without a cluster: `helm lint --strict`, the rendered
 * manifests validated against the Kubernetes schemas of a current release (kubernetes-validate
 * --strict), what a studio relies on asserted in the rendering, and checkov over the chart and the
 * Dockerfile. The tools come from scripts/infra/kube-tools.sh.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const chart = join(root, 'deploy/helm/necp');
const serviceNames = ['gateway', 'auth', 'character', 'gameplay', 'social', 'economy', 'world'];

interface Manifest {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, unknown> & {
    template?: { metadata: { annotations?: Record<string, string> }; spec: PodSpec };
  };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { key: string } };
}
interface PodSpec {
  containers: {
    args: string[];
    env?: EnvVar[];
    envFrom?: { configMapRef?: unknown; secretRef?: unknown }[];
    readinessProbe?: { httpGet: { path: string } };
    livenessProbe?: { httpGet: { path: string } };
    resources?: { requests?: unknown; limits?: unknown };
    securityContext?: { runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean };
  }[];
}

let tools: { HELM: string; KUBERNETES_VALIDATE: string; CHECKOV: string };

/** `helm template` with `sets`, parsed (YAML to JSON by the tools' own Python, which has PyYAML). */
async function render(...sets: string[]): Promise<Manifest[]> {
  const { stdout } = await run(tools.HELM, ['template', 'necp', chart, ...sets.flatMap((set) => ['--set', set])], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const python = join(dirname(tools.KUBERNETES_VALIDATE), 'python');
  const child = execFile(python, [
    '-c',
    'import sys, json, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))',
  ]);
  child.stdin?.end(stdout);
  let json = '';
  child.stdout?.on('data', (chunk) => {
    json += chunk;
  });
  await new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(code) : reject(code))));
  return JSON.parse(json) as Manifest[];
}

const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((each) => each.kind === kind);
const pod = (manifest: Manifest) => manifest.spec.template?.spec as PodSpec;

describe('the Helm chart', { timeout: 15 * 60_000 }, () => {
  let manifests: Manifest[];
  let workDir: string;
  before(
    async () => {
      const { stdout } = await run(join(root, 'scripts/infra/kube-tools.sh'), [], { maxBuffer: 16 * 1024 * 1024 });
      tools = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((line) => line.split('=', 2)),
      ) as typeof tools;
      manifests = await render();
      workDir = await mkdtemp(join(tmpdir(), 'necp-chart-'));
    },
    { timeout: 15 * 60_000 },
  );
  after(() => rm(workDir, { recursive: true, force: true }));

  it('passes helm lint --strict', async () => {
    const { stdout } = await run(tools.HELM, ['lint', '--strict', chart]);
    assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders manifests the Kubernetes schemas of a current release accept (strict)', async () => {
    for (const [label, sets] of [
      ['defaults', []],
      ['vault', ['secrets.vault.enabled=true', 'external.keycloak.issuer=https://sso.example/realms/necp']],
    ] as const) {
      const { stdout } = await run(tools.HELM, ['template', 'necp', chart, ...sets.flatMap((set) => ['--set', set])]);
      const file = join(workDir, `${label}.yaml`);
      await writeFile(file, stdout);
      const validated = await run(tools.KUBERNETES_VALIDATE, ['--strict', file]).catch(
        (error: { stdout: string; stderr: string }) => assert.fail(`${label}: ${error.stdout}${error.stderr}`),
      );
      const lines = `${validated.stdout}${validated.stderr}`.trim().split('\n');
      const unvalidated = lines.filter((line) => !line.startsWith('INFO') || !line.includes('passed'));
      // The Prometheus Operator's ServiceMonitor is a custom resource: no schema of Kubernetes' own.
      assert.deepEqual(
        unvalidated.filter((line) => !line.includes('kind ServiceMonitor')),
        [],
        `${label}: every resource validated`,
      );
      const rendered = await render(...sets);
      assert.equal(
        lines.filter((line) => line.includes('passed')).length,
        rendered.filter((manifest) => manifest.kind !== 'ServiceMonitor').length,
        `${label}: one verdict a resource`,
      );
    }
  });

  it('runs every service as a Deployment with probes, resources, an autoscaler, a disruption budget and a Service', () => {
    for (const name of serviceNames) {
      const deployment = ofKind(manifests, 'Deployment').find((each) => each.metadata.name === `necp-${name}`);
      assert.ok(deployment, name);
      const [container] = pod(deployment).containers;
      assert.deepEqual(container?.args, [name]);
      assert.equal(container?.readinessProbe?.httpGet.path, '/ready');
      assert.equal(container?.livenessProbe?.httpGet.path, '/health');
      assert.ok(container?.resources?.requests && container.resources.limits);
      assert.equal(container?.securityContext?.runAsNonRoot, true);
      assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
      for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service', 'NetworkPolicy'])
        assert.ok(
          ofKind(manifests, kind).some((each) => each.metadata.name === `necp-${name}`),
          `${kind} of ${name}`,
        );
    }
  });

  it('lets only the gateway (and the callers of their design) reach a service, and only the ingress reach the gateway', () => {
    const allowedComponents = (name: string) => {
      const policy = ofKind(manifests, 'NetworkPolicy').find((each) => each.metadata.name === `necp-${name}`);
      const [fromPeers] =
        (policy?.spec.ingress as { from: Record<string, { matchLabels: Record<string, string> }>[] }[]) ?? [];
      return (fromPeers?.from ?? []).map(
        (peer) =>
          peer.podSelector?.matchLabels['app.kubernetes.io/component'] ??
          `namespace:${peer.namespaceSelector?.matchLabels['kubernetes.io/metadata.name']}`,
      );
    };
    assert.deepEqual(allowedComponents('gateway'), ['namespace:ingress-nginx']);
    assert.deepEqual(allowedComponents('world'), ['gateway']);
    assert.deepEqual(allowedComponents('economy'), ['gateway', 'social']);
    assert.deepEqual(allowedComponents('character').sort(), ['economy', 'gameplay', 'gateway', 'social', 'world']);
  });

  it('never carries a secret in values: each service reads only its own keys of the existing Secret', () => {
    assert.equal(ofKind(manifests, 'Secret').length, 0);
    const secretKeys = (name: string) =>
      (
        pod(ofKind(manifests, 'Deployment').find((each) => each.metadata.name === `necp-${name}`) as Manifest)
          .containers[0]?.env ?? []
      )
        .filter((variable) => variable.valueFrom?.secretKeyRef)
        .map((variable) => variable.name);
    assert.deepEqual(secretKeys('economy'), ['DATABASE_URL', 'REDIS_URL', 'EDGE_VOUCH_KEY', 'ECONOMY_CLIENT_SECRET']);
    assert.ok(
      secretKeys('auth').includes('SEED_ADMIN_PASSWORD') && secretKeys('auth').includes('SOCIAL_CLIENT_SECRET'),
    );
    for (const deployment of ofKind(manifests, 'Deployment'))
      for (const variable of pod(deployment).containers[0]?.env ?? [])
        assert.ok(
          !/SECRET|PASSWORD|DATABASE_URL|REDIS_URL/.test(variable.name) || variable.valueFrom?.secretKeyRef,
          `${deployment.metadata.name}: ${variable.name} comes from the Secret`,
        );
  });

  it('takes every secret from Vault through the agent injector when switched on', async () => {
    const withVault = await render('secrets.vault.enabled=true');
    const pods = [...ofKind(withVault, 'Deployment'), ...ofKind(withVault, 'Job')];
    assert.equal(pods.length, serviceNames.length + 1);
    for (const each of pods) {
      const annotations = each.spec.template?.metadata.annotations ?? {};
      assert.equal(annotations['vault.hashicorp.com/agent-inject'], 'true', each.metadata.name);
      assert.match(
        annotations['vault.hashicorp.com/agent-inject-template-env'] ?? '',
        /with secret "secret\/data\/necp\/backend"/,
      );
      const env = pod(each).containers[0]?.env ?? [];
      assert.ok(env.some((variable) => variable.name === 'NECP_ENV_FILE' && variable.value === '/vault/secrets/env'));
      assert.ok(
        !env.some((variable) => variable.valueFrom?.secretKeyRef),
        `${each.metadata.name}: no Secret reference`,
      );
    }
  });

  it('migrates in a hook Job before install and upgrade, so replicas never race the migrations', () => {
    const [job] = ofKind(manifests, 'Job');
    assert.equal(job?.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade');
    assert.deepEqual(pod(job as Manifest).containers[0]?.args, ['migrate']);
  });

  it('routes the ingress to the gateway with WebSocket timeouts, and has Prometheus scrape every service', () => {
    const [ingress] = ofKind(manifests, 'Ingress');
    assert.equal(ingress?.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-read-timeout'], '3600');
    const [monitor] = ofKind(manifests, 'ServiceMonitor');
    assert.deepEqual(monitor?.spec.endpoints, [{ port: 'http', path: '/metrics', interval: '30s' }]);
  });

  it('passes checkov over the chart and the Dockerfile (its skips and their reasons: deploy/helm/checkov.yaml)', async () => {
    const checkov = (args: string[]) =>
      run(tools.CHECKOV, ['--quiet', '--compact', '--skip-download', '--output', 'json', ...args], {
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, PATH: `${dirname(tools.HELM)}:${process.env.PATH}` },
      }).catch((error: { stdout: string }) => error);
    for (const args of [
      ['--config-file', join(root, 'deploy/helm/checkov.yaml'), '-d', chart, '--framework', 'helm'],
      ['-f', join(root, 'deploy/docker/Dockerfile'), '--framework', 'dockerfile'],
    ]) {
      const { stdout } = await checkov(args);
      const reports = [JSON.parse(stdout)].flat() as { summary: { passed: number; failed: number } }[];
      assert.ok(reports.length > 0 && reports.every((report) => report.summary.passed > 0), stdout.slice(0, 2000));
      assert.deepEqual(
        reports.map((report) => report.summary.failed),
        reports.map(() => 0),
        stdout.slice(0, 4000),
      );
    }
  });
});
