import { callHttp, type ServiceUnderTest, startServiceUnderTest } from '@necp/platform/testing';
import { authService } from '../src/service.ts';

export const AdminPassword = 'Admin-password-for-tests-1';
export const ArbiterPassword = 'Arbiter-password-for-tests-1';

export interface AuthUnderTest {
  /** Where the running instance listens (a new port after `restart`). */
  readonly url: string;
  runtime: ServiceUnderTest['runtime'];
  service: ServiceUnderTest['service'];
  /** Stops the instance and starts a new one on the same database (`freshCache`: on an empty cache). */
  restart(options?: { freshCache?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/**
 * auth-service on an ephemeral port over a fresh database (PGlite, or its own PostgreSQL database
 * when DATABASE_URL is set; `overrides.DATABASE_URL` joins another replica's), the in-process bus
 * and the test cache; it is its own issuer. argon2 runs with a small memory cost here: the tests
 * are about the rules, the bench measures the real cost.
 */
export async function startAuth(overrides: Record<string, string> = {}): Promise<AuthUnderTest> {
  const auth = await startServiceUnderTest(authService, {
    issuer: false,
    env: {
      AUTH_ARGON2_MEMORY_KIB: '4096',
      AUTH_ARGON2_ITERATIONS: '1',
      AUTH_KEY_ENCRYPTION_SECRET: 'test-key-encryption-secret-0123456789abcdef',
      SEED_ADMIN_PASSWORD: AdminPassword,
      SEED_ARBITER_PASSWORD: ArbiterPassword,
      // Distributed mode (DATABASE_URL) registers only the clients whose secrets are configured.
      ECONOMY_CLIENT_SECRET: 'economy-client-secret-for-tests-0123456789',
      ...overrides,
    },
  });
  return {
    get url() {
      return auth.base;
    },
    runtime: auth.runtime,
    get service() {
      return auth.service;
    },
    async restart(options) {
      await auth.stop();
      await auth.start(options);
    },
    close: () => auth.close(),
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
  const reply = await callHttp(base, method, path, options);
  return { status: reply.status, body: (reply.body ?? {}) as T, headers: reply.headers };
}

let counter = 0;
/** A unique, valid username and email (the cache may be a shared Redis). */
export function uniqueUser(prefix = 'p') {
  counter += 1;
  const id = `${prefix}${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e4)}`.slice(0, 20);
  return { username: id, email: `${id}@example.test`, password: 'Correct-horse-9' };
}
