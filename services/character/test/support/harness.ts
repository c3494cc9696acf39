import { randomUUID } from 'node:crypto';
import { createRuntime, type RunningService, type Runtime, startService } from '@necp/platform';
import { createTestDatabase, realDatabaseUrl, type TestDatabase, testConfig } from '@necp/platform/testing';
import { createCharacterService } from '../../src/service.ts';
import { createTestIssuer, type TestIssuer } from './tokens.ts';

export interface Harness {
  runtime: Runtime;
  service: RunningService;
  issuer: TestIssuer;
  /** A new player account: its id and a bearer header. */
  player(roles?: string[]): Promise<Player>;
  request(options: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface Player {
  accountId: string;
  authorization: string;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  as?: Player;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are read field by field
  body: any;
}

/** character-service on a fresh database (its own PostgreSQL database, or PGlite in memory). */
export async function startHarness(): Promise<Harness> {
  let testDb: TestDatabase | undefined;
  if (realDatabaseUrl) testDb = await createTestDatabase({ migrate: false });
  const config = testConfig(testDb?.url ? { DATABASE_URL: testDb.url } : {});
  const runtime = await createRuntime(config, 'character-test');
  const issuer = await createTestIssuer(runtime.cache, config.OIDC_AUDIENCE);
  const service = await startService(createCharacterService({ authenticator: issuer.authenticator }), runtime, {
    host: '127.0.0.1',
    port: 0,
  });
  await runtime.startRelay();
  return {
    runtime,
    service,
    issuer,
    async player(roles = ['player']) {
      const accountId = randomUUID();
      return { accountId, authorization: `Bearer ${await issuer.mint(accountId, roles)}` };
    },
    async request(options) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.as) headers.authorization = options.as.authorization;
      const response = await service.http.app.inject({
        method: options.method,
        url: options.url,
        headers,
        ...(options.body === undefined ? {} : { payload: options.body as object }),
      });
      const text = response.body;
      return {
        status: response.statusCode,
        headers: response.headers,
        body:
          text.length > 0 && String(response.headers['content-type'] ?? '').includes('json') ? JSON.parse(text) : text,
      };
    },
    async close() {
      await service.stop();
      await runtime.close();
      await testDb?.close();
    },
  };
}

export const base = '/api/v1/characters';

let nameCounter = 0;
/** Unique, rule-abiding names (letters only, so they never collide across runs of one database). */
export function uniqueName(prefix = 'Merc'): string {
  nameCounter += 1;
  const letters = (nameCounter + Math.floor(Math.random() * 1e6))
    .toString(26)
    .split('')
    .map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 26)))
    .join('');
  return `${prefix} ${letters}`.slice(0, 20);
}

export async function createCharacter(
  harness: Harness,
  player: Player,
  body: Record<string, unknown> = {},
): Promise<TestResponse> {
  return harness.request({
    method: 'POST',
    url: base,
    as: player,
    body: { name: uniqueName(), origin: 'street_kid', class: 'solo', ...body },
  });
}
