/**
 * A Kafka Connect 4 worker (standalone) with the Debezium PostgreSQL connector on its plugin.path,
 * as a user runs it: jars from scripts/infra/debezium.sh (Maven Central, cached on the machine), a
 * default worker configuration plus the environment config provider that deploy/debezium/README.md
 * asks for, and the connector registered over the REST API from deploy/debezium/outbox-connector.json.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = new URL('../../../', import.meta.url).pathname;

export interface ConnectWorker {
  /** The worker's REST API. */
  url: string;
  /** Registers `deploy/debezium/outbox-connector.json` with `overrides` on top; resolves once its task runs. */
  register(overrides: Record<string, string>): Promise<void>;
  /** The last lines of the worker's log (for a failure's message). */
  logTail(): Promise<string>;
  /** Stops the worker (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
}

/** The database the connector reads, passed through the worker's environment as the README says. */
export interface ConnectorDatabase {
  host: string;
  port: string;
  user: string;
  password: string;
  name: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The jars (fetched once per machine) as `scripts/infra/debezium.sh fetch` prints them. */
function fetchJars(): Record<string, string> {
  const printed = execFileSync(join(root, 'scripts/infra/debezium.sh'), ['fetch'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return Object.fromEntries(
    [...printed.matchAll(/^export (\w+)=(.*)$/gm)].map((match) => [match[1] as string, match[2] as string]),
  );
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  log: () => Promise<string>,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${await log()}`);
    await sleep(250);
  }
}

export async function startConnectWorker(options: {
  brokers: string;
  database: ConnectorDatabase;
}): Promise<ConnectWorker> {
  const jars = fetchJars();
  const classpathFile = jars.CONNECT_CLASSPATH_FILE;
  const pluginPath = jars.DEBEZIUM_PLUGIN_PATH;
  const log4j = jars.CONNECT_LOG4J;
  if (!classpathFile || !pluginPath || !log4j) throw new Error(`debezium.sh fetch printed ${JSON.stringify(jars)}`);
  const dir = await mkdtemp(join(tmpdir(), 'necp-connect-'));
  const port = await freePort();
  const logFile = join(dir, 'connect.log');
  await writeFile(
    join(dir, 'worker.properties'),
    [
      `bootstrap.servers=${options.brokers}`,
      // a default worker's converters; the connector sets its own (StringConverter)
      'key.converter=org.apache.kafka.connect.json.JsonConverter',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
      `offset.storage.file.filename=${join(dir, 'offsets.dat')}`,
      // the slot confirms what was published at each offset flush: every second here, so the backlog
      // gauges follow within the test's patience (the worker's default is a minute)
      'offset.flush.interval.ms=1000',
      `plugin.path=${pluginPath}`,
      // Debezium ships ServiceLoader manifests: no class scan of the plugin (seconds of a 2-core CI)
      'plugin.discovery=service_load',
      `listeners=http://127.0.0.1:${port}`,
      'config.providers=env',
      'config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider',
      '',
    ].join('\n'),
  );
  const classpath = (await readFile(classpathFile, 'utf8')).trim();
  const child: ChildProcess = spawn(
    'java',
    [
      '-Xms64m',
      '-Xmx512m',
      '-XX:TieredStopAtLevel=1',
      `-Dlog4j2.configurationFile=${log4j}`,
      `-Dnecp.connect.log=${logFile}`,
      '-cp',
      classpath,
      'org.apache.kafka.connect.cli.ConnectStandalone',
      join(dir, 'worker.properties'),
    ],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        NECP_DB_HOST: options.database.host,
        NECP_DB_PORT: options.database.port,
        NECP_DB_USER: options.database.user,
        NECP_DB_PASSWORD: options.database.password,
        NECP_DB_NAME: options.database.name,
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const logTail = async () => {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    return text.split('\n').slice(-40).join('\n');
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      process.kill(-child.pid, 'SIGTERM');
      const killed = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 20_000);
      await exited;
      clearTimeout(killed);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'the Connect worker to serve its REST API',
      async () => ((await fetch(`${url}/connectors`).catch(() => undefined))?.ok ? true : undefined),
      90_000,
      logTail,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    logTail,
    stop,
    async register(overrides) {
      const connector = JSON.parse(await readFile(join(root, 'deploy/debezium/outbox-connector.json'), 'utf8')) as {
        name: string;
        config: Record<string, string>;
      };
      const response = await fetch(`${url}/connectors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: connector.name, config: { ...connector.config, ...overrides } }),
      });
      if (response.status !== 201)
        throw new Error(`Connect refused the connector: ${response.status} ${await response.text()}`);
      await waitFor(
        'the connector task to run',
        async () => {
          const status = (await (await fetch(`${url}/connectors/${connector.name}/status`)).json()) as {
            connector: { state: string; trace?: string };
            tasks: { state: string; trace?: string }[];
          };
          const failed = [status.connector, ...status.tasks].find((each) => each.state === 'FAILED');
          if (failed) throw new Error(`the connector failed: ${failed.trace}`);
          return status.tasks[0]?.state === 'RUNNING' ? true : undefined;
        },
        60_000,
        logTail,
      );
    },
  };
}
