/**
 * Logins per second through auth-service (argon2id is deliberately costly), with the hash parameters
 * and the cost of one hash. Starts auth-service in this process on an ephemeral port with the
 * embedded adapters (PGlite in memory, memory cache) unless DATABASE_URL / REDIS_URL say otherwise.
 *   node scripts/bench/auth-logins.ts [seconds=10] [connections=4]
 */
import { availableParallelism } from 'node:os';
import { authService } from '@necp/auth-service';
import { AuthSettingsSchema, authSettings } from '@necp/auth-service/settings';
import { createRuntime, loadConfig, loadPlatformConfig, startService } from '@necp/platform';
import { hash } from '@node-rs/argon2';
import autocannon from 'autocannon';
import { recordFigures } from './results.ts';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 4);
const config = loadPlatformConfig({
  DATA_DIR: 'memory://',
  LOG_LEVEL: 'silent',
  AUTH_KEY_ENCRYPTION_SECRET: 'bench-key-encryption-secret-0123456789abcdef',
  SEED_ADMIN_PASSWORD: 'Bench-admin-password-1',
  SEED_ARBITER_PASSWORD: 'Bench-arbiter-password-1',
  ...process.env,
  KAFKA_BROKERS: '',
});
const { argon2 } = authSettings(config, loadConfig(AuthSettingsSchema, config.env));

// Cost of one hash, measured alone (argon2id is algorithm 2 of @node-rs/argon2's const enum).
const samples = 20;
const hashStarted = performance.now();
for (let i = 0; i < samples; i += 1) await hash(`bench-password-${i}`, { ...argon2, algorithm: 2 });
const msPerHash = (performance.now() - hashStarted) / samples;

const runtime = await createRuntime(config, 'bench');
const service = await startService(authService, runtime, { host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${service.port}`;
const user = { email: 'bench@example.test', username: 'bench_user', password: 'Bench-password-1' };
const registered = await fetch(`${url}/api/v1/auth/register`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(user),
});
if (registered.status !== 201) throw new Error(`registration failed: ${registered.status} ${await registered.text()}`);

const result = await autocannon({
  url: `${url}/api/v1/auth/login`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ login: user.username, password: user.password }),
  connections,
  duration: seconds,
});
const ok = result['2xx'];
const failed = result.non2xx + result.errors + result.timeouts;
recordFigures('auth logins', [
  { loginsPerSecond: ok / seconds, p50Ms: result.latency.p50, p99Ms: result.latency.p99, ok, failed, msPerHash },
]);
process.stdout.write(
  [
    `auth logins: ${(ok / seconds).toFixed(1)} logins/s over ${seconds} s, ${connections} connections, ${availableParallelism()} cores`,
    `  latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; ${ok} ok, ${failed} failed`,
    `  argon2id m=${argon2.memoryCost} KiB, t=${argon2.timeCost}, p=${argon2.parallelism}: ${msPerHash.toFixed(1)} ms per hash`,
    `  ceiling from hash cost alone: ${((1000 / msPerHash) * Math.min(4, availableParallelism())).toFixed(1)} hashes/s (argon2 runs on libuv's 4 threads, bounded by the cores)`,
    '',
  ].join('\n'),
);
await service.stop();
await runtime.close();
if (failed > 0) process.exitCode = 1;
