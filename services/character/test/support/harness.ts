import { type ServiceUnderTest, startServiceUnderTest } from '@necp/platform/testing';
import { characterService } from '../../src/service.ts';

/** character-service on a fresh database behind the platform's test issuer, its outbox relayed. */
export interface Harness {
  runtime: ServiceUnderTest['runtime'];
  service: ServiceUnderTest['service'];
  /** The platform harness underneath: issuer, deny-list, events, HTTP calls. */
  underTest: ServiceUnderTest;
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
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
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

export async function startHarness(): Promise<Harness> {
  const underTest = await startServiceUnderTest(characterService, { relay: true });
  return {
    runtime: underTest.runtime,
    get service() {
      return underTest.service;
    },
    underTest,
    async player(roles = ['player']) {
      const { accountId, token } = await underTest.player(roles);
      return { accountId, authorization: `Bearer ${token}` };
    },
    request: ({ method, url, as, body, headers }) =>
      underTest.inject({
        method,
        url,
        body,
        headers: { ...headers, ...(as ? { authorization: as.authorization } : {}) },
      }),
    close: () => underTest.close(),
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
