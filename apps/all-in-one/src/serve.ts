import { configOrExit, exitOnConfigError, onShutdownSignal } from '@necp/platform';
import { startAllInOne } from './all-in-one.ts';
import { unreadyChecks } from './readiness.ts';

const config = configOrExit();
const backend = await startAllInOne(config).catch(exitOnConfigError);
// Since the process started: loading the modules is part of what a newcomer waits for.
const readyMs = Math.round(performance.now());

const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
const gateway = `http://${host}:${backend.portOf('gateway')}`;
const adapters = [
  config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.DATA_DIR}`,
  config.KAFKA_BROKERS ? `Kafka ${config.KAFKA_BROKERS}` : 'in-process event bus',
  config.REDIS_URL ? 'Redis (REDIS_URL)' : 'in-memory cache',
];
const unready = await unreadyChecks(backend.services);
const headline =
  unready.length === 0
    ? `NECP backend ready in ${readyMs} ms (${adapters.join(', ')})`
    : `NECP backend started in ${readyMs} ms (${adapters.join(', ')}) but NOT READY:\n${unready.map((line) => `  ${line}`).join('\n')}`;
const lines = [
  '',
  headline,
  `  gateway     ${gateway}        API docs ${gateway}/docs   health ${gateway}/api/v1/health`,
  ...backend.services
    .filter((service) => service.name !== 'gateway')
    .map((service) => `  ${service.name.padEnd(11)} http://${host}:${service.port}`),
  '  every service: /health /ready /metrics /openapi.json      Ctrl-C stops it',
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);

onShutdownSignal(backend.runtime.logger, config.SHUTDOWN_TIMEOUT_MS, () => backend.stop());
