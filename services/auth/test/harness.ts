import { createRuntime, type RunningService, type Runtime, startService } from '@necp/platform';
import { createTestDatabase, type TestDatabase, testConfig } from '@necp/platform/testing';
import { authService } from '../src/service.ts';

export const AdminPassword = 'Admin-password-for-tests-1';
export const ArbiterPassword = 'Arbiter-password-for-tests-1';

export interface AuthUnderTest {
  url: string;
  runtime: Runtime;
  service: RunningService;
  close(): Promise<void>;
}

/**
 * auth-service on an ephemeral port over a fresh database (PGlite, or its own PostgreSQL database
 * when DATABASE_URL is set), the in-process bus, and the cache the environment names. argon2 runs
 * with a small memory cost here: the tests are about the rules, the bench measures the real cost.
 */
export async function startAuth(overrides: Record<string, string> = {}): Promise<AuthUnderTest> {
  let testDb: TestDatabase | undefined;
  if (process.env.DATABASE_URL) testDb = await createTestDatabase({ migrate: false });
  const config = testConfig({
    KAFKA_BROKERS: '',
    AUTH_ARGON2_MEMORY_KIB: '4096',
    AUTH_ARGON2_ITERATIONS: '1',
    AUTH_KEY_ENCRYPTION_SECRET: 'test-key-encryption-secret-0123456789abcdef',
    SEED_ADMIN_PASSWORD: AdminPassword,
    SEED_ARBITER_PASSWORD: ArbiterPassword,
    // Distributed mode (DATABASE_URL) registers only the clients whose secrets are configured.
    ECONOMY_CLIENT_SECRET: 'economy-client-secret-for-tests-0123456789',
    ...(testDb?.url ? { DATABASE_URL: testDb.url } : {}),
    ...overrides,
  });
  const runtime = await createRuntime(config, 'auth-test');
  const service = await startService(authService, runtime, { host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${service.port}`,
    runtime,
    service,
    async close() {
      await service.stop();
      await runtime.close();
      await testDb?.close();
    },
  };
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T, headers: response.headers };
}

let counter = 0;
/** A unique, valid username and email (the cache may be a shared Redis). */
export function uniqueUser(prefix = 'p') {
  counter += 1;
  const id = `${prefix}${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e4)}`.slice(0, 20);
  return { username: id, email: `${id}@example.test`, password: 'Correct-horse-9' };
}
