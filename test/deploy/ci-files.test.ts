/**
 * The GitOps and CI files checked offline: .github/workflows/ci.yml against the GitHub workflow schema
 * check-jsonschema vendors, audited by zizmor, and asserted to run what CI must; deploy/argocd/
 * application.yaml validated by the validators @kubernetes-models/argo-cd generates from Argo CD's
 * Application API types (the types its CRD is generated from), its structure asserted, and the chart
 * rendered with its values. Tools from scripts/infra/ci-tools.sh and scripts/infra/kube-tools.sh.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { toolPaths } from './support/tool-paths.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const workflowFile = join(root, '.github/workflows/ci.yml');
const applicationFile = join(root, 'deploy/argocd/application.yaml');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { needs?: string; steps: Step[]; permissions?: Record<string, string> }>;
}
interface Application {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: {
    project: string;
    source: { repoURL: string; targetRevision: string; path: string; helm: { valuesObject: Record<string, unknown> } };
    destination: { server: string; namespace: string };
    syncPolicy: { automated: { prune: boolean; selfHeal: boolean }; syncOptions: string[] };
    ignoreDifferences: { kind: string; jsonPointers: string[] }[];
  };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { template?: { spec: { containers: { image: string }[] } } };
}
/** The parts of the cached npm packages this test uses. */
interface YamlModule {
  parse(text: string): unknown;
  parseAllDocuments(text: string): { toJS(): unknown }[];
}
type ApplicationModel = new (data: unknown) => { validate(): void };

let tools: Record<'CHECK_JSONSCHEMA' | 'ZIZMOR' | 'NODE_TOOLS' | 'HELM', string>;
let yaml: YamlModule;
let ApplicationModel: ApplicationModel;

describe('the CI workflow and the Argo CD Application', { timeout: 15 * 60_000 }, () => {
  let workDir: string;
  let workflow: Workflow;
  let application: Application;

  before(
    async () => {
      tools = {
        ...(await toolPaths<'CHECK_JSONSCHEMA' | 'ZIZMOR' | 'NODE_TOOLS'>('ci-tools.sh')),
        ...(await toolPaths<'HELM'>('kube-tools.sh')),
      };
      yaml = (await import(join(tools.NODE_TOOLS, 'yaml/dist/index.js'))) as YamlModule;
      ({ Application: ApplicationModel } = (await import(
        join(tools.NODE_TOOLS, '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application.js')
      )) as { Application: ApplicationModel });
      workflow = yaml.parse(await readFile(workflowFile, 'utf8')) as Workflow;
      application = yaml.parse(await readFile(applicationFile, 'utf8')) as Application;
      workDir = await mkdtemp(join(tmpdir(), 'necp-ci-files-'));
    },
    { timeout: 15 * 60_000 },
  );
  after(() => rm(workDir, { recursive: true, force: true }));

  const checkWorkflow = (file: string) =>
    run(tools.CHECK_JSONSCHEMA, ['--builtin-schema', 'vendor.github-workflows', file]);

  it("passes the GitHub workflow schema (check-jsonschema's vendored copy), which refuses a broken one", async () => {
    const { stdout } = await checkWorkflow(workflowFile);
    assert.match(stdout, /ok -- validation done/);
    const broken = join(workDir, 'broken.yml');
    const text = await readFile(workflowFile, 'utf8');
    await writeFile(broken, text.replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04'));
    await assert.rejects(checkWorkflow(broken), (error: { stdout: string }) => {
      assert.match(error.stdout, /Schema validation errors/);
      return true;
    });
  });

  it('has no finding of zizmor (offline), trusting the tags of GitHub’s and Docker’s own actions', async () => {
    // No commit hash of an action can be looked up here: actions/* and docker/* are pinned by tag
    // (a studio's Dependabot moves them to hashes); any other action would have to be pinned by hash.
    const config = join(workDir, 'zizmor.yml');
    await writeFile(
      config,
      'rules:\n  unpinned-uses:\n    config:\n      policies:\n        "actions/*": ref-pin\n        "docker/*": ref-pin\n',
    );
    const { stdout } = await run(tools.ZIZMOR, ['--offline', '--config', config, '--format', 'json', workflowFile]);
    assert.deepEqual(JSON.parse(stdout), []);
  });

  it('typechecks, lints, runs npm test with the servers, builds the image with buildx and checks the chart', () => {
    const runs = (job: string) => (workflow.jobs[job]?.steps ?? []).map((step) => step.run ?? '').join('\n');
    const uses = (job: string) => (workflow.jobs[job]?.steps ?? []).map((step) => step.uses ?? '');
    assert.ok('push' in workflow.on && 'pull_request' in workflow.on);
    assert.match(runs('static'), /npm run typecheck/);
    assert.match(runs('static'), /npm run lint/);
    assert.match(runs('test'), /^npm test$/m);
    // npm test's real-server phases need what scripts/infra.sh starts: PostgreSQL, Redis, Kafka (Java).
    const installed = runs('test')
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .filter((line) => line.includes('apt-get install'))
      .flatMap((line) => line.split(/\s+/));
    for (const needed of ['postgresql', 'redis-server', 'maven', 'debootstrap'])
      assert.ok(installed.includes(needed), needed);
    assert.ok(uses('test').some((action) => action.startsWith('actions/setup-java@')));
    assert.ok(uses('image').some((action) => action.startsWith('docker/setup-buildx-action@')));
    const build = workflow.jobs.image?.steps.find((step) => step.uses?.startsWith('docker/build-push-action@'));
    assert.equal(build?.with?.file, 'deploy/docker/Dockerfile');
    assert.equal(workflow.jobs.image?.permissions?.packages, 'write');
    assert.match(runs('deploy-checks'), /run-tests\.ts deploy chart\.test ci-files\.test prometheus\.test/);
    for (const [job, body] of Object.entries(workflow.jobs))
      if (job !== 'static') assert.equal(body.needs, 'static', `${job} waits for the fast checks`);
    // Every file the workflow names exists.
    for (const file of [
      '.nvmrc',
      'deploy/docker/Dockerfile',
      'scripts/infra/prometheus.sh',
      'scripts/generate-client.ts',
      'test/deploy/chart.test.ts',
      'test/deploy/ci-files.test.ts',
      'test/deploy/prometheus.test.ts',
    ])
      assert.ok(existsSync(join(root, file)), file);
  });

  it("validates against Argo CD's Application types, which refuse a wrong one", () => {
    new ApplicationModel(application).validate();
    const wrong = structuredClone(application) as unknown as { spec: { syncPolicy: { automated: unknown } } };
    wrong.spec.syncPolicy.automated = { prune: 'yes' };
    assert.throws(() => new ApplicationModel(wrong).validate(), /prune must be boolean/);
    const { destination: _, ...withoutDestination } = application.spec;
    assert.throws(
      () => new ApplicationModel({ ...application, spec: withoutDestination }).validate(),
      /required property destination/,
    );
  });

  it('deploys the chart of this repository into its namespace, synced automatically with prune and self-heal', () => {
    assert.equal(application.apiVersion, 'argoproj.io/v1alpha1');
    assert.equal(application.kind, 'Application');
    assert.equal(application.metadata.namespace, 'argocd');
    const { source, destination, syncPolicy, ignoreDifferences } = application.spec;
    assert.equal(source.path, 'deploy/helm/necp');
    assert.ok(existsSync(join(root, source.path, 'Chart.yaml')), 'the source path is a chart');
    assert.equal(source.targetRevision, 'main');
    assert.equal(destination.namespace, 'necp');
    assert.equal(destination.server, 'https://kubernetes.default.svc');
    assert.deepEqual(syncPolicy.automated, { prune: true, selfHeal: true });
    assert.ok(syncPolicy.syncOptions.includes('CreateNamespace=true'));
    // Self-heal must not undo the autoscalers.
    assert.ok(syncPolicy.syncOptions.includes('RespectIgnoreDifferences=true'));
    assert.deepEqual(ignoreDifferences, [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }]);
  });

  it("renders the chart with the Application's values: its image, managed Kafka and Keycloak", async () => {
    const values = join(workDir, 'values.json');
    await writeFile(values, JSON.stringify(application.spec.source.helm.valuesObject));
    const { stdout } = await run(
      tools.HELM,
      ['template', 'necp', join(root, application.spec.source.path), '-n', 'necp', '-f', values],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const manifests = yaml
      .parseAllDocuments(stdout)
      .map((document) => document.toJS() as Manifest | null)
      .filter((manifest): manifest is Manifest => manifest !== null);
    const deployments = manifests.filter((manifest) => manifest.kind === 'Deployment');
    assert.equal(deployments.length, 7);
    for (const deployment of deployments)
      assert.equal(
        deployment.spec?.template?.spec.containers[0]?.image,
        'registry.example/necp-backend:0.1.0',
        deployment.metadata.name,
      );
    const config = manifests.find((manifest) => manifest.kind === 'ConfigMap')?.data ?? {};
    assert.equal(config.KAFKA_BROKERS, 'b-1.kafka.example:9092,b-2.kafka.example:9092,b-3.kafka.example:9092');
    assert.equal(config.OIDC_ISSUER, 'https://sso.example/realms/necp');
    assert.equal(config.AUTH_ISSUER_URL, 'https://api.necp.example');
  });
});
