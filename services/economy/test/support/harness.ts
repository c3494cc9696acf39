import assert from 'node:assert/strict';
/**
 * Starts the real economy-service on a fresh database (PGlite, or PostgreSQL with DATABASE_URL)
 * behind a throwaway token issuer: a local JWKS endpoint the platform verifier reads, and RS256
 * access tokens signed for it. Events arrive through the in-process bus, as the relay delivers them.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Topic, TopicPayload } from '@necp/contracts';
import {
  createInProcessServices,
  createLogger,
  InProcessBus,
  type RunningService,
  type Runtime,
  type SqlDatabase,
  startService,
} from '@necp/platform';
import { createTestCache, createTestDatabase, type TestDatabase, testConfig } from '@necp/platform/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Registry } from 'prom-client';
import { economyService } from '../../src/service.ts';

export type Skills = Partial<Record<'ballistics' | 'precision' | 'engineering' | 'hacking', number>>;

/** The skills character-service gives each class at creation (shared/DOMAIN.md, Characters). */
export const startingSkills: Record<string, Skills> = {
  solo: { ballistics: 30, precision: 20, engineering: 5, hacking: 0 },
  netrunner: { ballistics: 0, precision: 10, engineering: 10, hacking: 35 },
  techie: { ballistics: 15, precision: 10, engineering: 35, hacking: 0 },
};

export interface Issuer {
  url: string;
  token(accountId: string, roles?: string[]): Promise<string>;
  /** Characters the stand-in character-service says exist: id → owning account. */
  remoteOwners: Map<string, string>;
  /** What the stand-in character-service answers for a character's skills; absent → 404. */
  remoteSkills: Map<string, Skills>;
  /** How many skill lookups reached the stand-in. */
  readonly skillLookups: number;
  /**
   * While true, character-service is down: its internal endpoints drop the connection without an
   * answer (the token endpoint and JWKS, auth-service's, stay up).
   */
  characterServiceDown: boolean;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const remoteOwners = new Map<string, string>();
  const remoteSkills = new Map<string, Skills>();
  const state = { skillLookups: 0, characterServiceDown: false };
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' }] };
  const server: Server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/jwks.json') return response.end(JSON.stringify(jwks));
    // Stands in for auth-service's token endpoint and character-service's internal endpoints, so
    // economy's lookups (the owner of a character it has not seen, skills) run their real HTTP path.
    if (request.url === '/api/v1/auth/token') {
      void sign('service:economy', ['service']).then((token) =>
        response.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 })),
      );
      return;
    }
    if (state.characterServiceDown && request.url?.startsWith('/internal/')) {
      request.socket.destroy();
      return;
    }
    if (request.headers.authorization === undefined) {
      response.statusCode = 401;
      return response.end('{}');
    }
    const skillsOf = /^\/internal\/v1\/characters\/([0-9a-f-]{36})\/skills$/.exec(request.url ?? '')?.[1];
    if (skillsOf) {
      state.skillLookups += 1;
      const skills = remoteSkills.get(skillsOf);
      if (skills) return response.end(JSON.stringify({ characterId: skillsOf, skills }));
      response.statusCode = 404;
      return response.end('{}');
    }
    const owner = /^\/internal\/v1\/characters\/([0-9a-f-]{36})$/.exec(request.url ?? '')?.[1];
    const accountId = owner ? remoteOwners.get(owner) : undefined;
    if (accountId) return response.end(JSON.stringify({ characterId: owner, accountId }));
    response.statusCode = 404;
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  function sign(accountId: string, roles: string[]): Promise<string> {
    return new SignJWT({ roles, sid: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'at+jwt' })
      .setIssuer(url)
      .setAudience('necp-api')
      .setSubject(accountId)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  }
  return {
    url,
    remoteOwners,
    remoteSkills,
    get skillLookups() {
      return state.skillLookups;
    },
    get characterServiceDown() {
      return state.characterServiceDown;
    },
    set characterServiceDown(down: boolean) {
      state.characterServiceDown = down;
    },
    token: (accountId, roles = ['player']) => sign(accountId, roles),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of a service still running (a failed test) must not hold the close.
        server.closeAllConnections();
      }),
  };
}

export interface Economy {
  base: string;
  db: SqlDatabase;
  test: TestDatabase;
  issuer: Issuer;
  readonly service: RunningService;
  /** Stops the service (HTTP, consumers' bus, scheduler) as a crash would leave the database, then waits. */
  stop(): Promise<void>;
  /** Starts a new instance on the same database. */
  start(): Promise<void>;
  /** Delivers an event to economy's consumers as the bus would; returns its envelope id. */
  deliver<T extends Topic>(topic: T, key: string, payload: TopicPayload<T>, eventId?: string): Promise<string>;
  /** Delivers events in one publish call (a consumer with batches gets them as one batch); returns their ids. */
  deliverAll<T extends Topic>(
    topic: T,
    events: { key: string; payload: TopicPayload<T>; eventId?: string }[],
  ): Promise<string[]>;
  /**
   * A player account with a fresh character of `origin` whose starting kit has been granted; the
   * stand-in character-service knows its skills: `skills`, or its class's starting ones.
   */
  player(
    origin?: string,
    characterClass?: string,
    skills?: Skills,
  ): Promise<{ accountId: string; characterId: string; token: string }>;
  adminToken(): Promise<string>;
  /** Asks `GET /api/v1/economy/audit` as an admin and fails unless every asset sums to zero. */
  assertAuditBalanced(): Promise<void>;
  call(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely and check them with assertions
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startEconomy(env: Record<string, string> = {}): Promise<Economy> {
  const test = await createTestDatabase();
  const issuer = await startIssuer();
  const config = testConfig({
    AUTH_URL: issuer.url,
    AUTH_ISSUER_URL: issuer.url,
    CHARACTER_URL: issuer.url,
    ECONOMY_CLIENT_SECRET: randomUUID() + randomUUID(),
    ...env,
  });
  const logger = createLogger('economy-test', 'silent');
  const cache = createTestCache();
  let bus = new InProcessBus(logger, { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 });
  let service: RunningService | undefined;
  let base = '';
  const boot = async () => {
    bus = new InProcessBus(logger, { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 });
    const runtime: Runtime = {
      config,
      logger,
      metrics: new Registry(),
      cache,
      bus,
      inProcess: createInProcessServices(),
      database: async () => test.db,
      startRelay: async () => undefined,
      close: async () => undefined,
    };
    service = await startService(economyService, runtime, { host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${service.port}`;
  };
  const halt = async () => {
    await service?.stop();
    await bus.close();
    service = undefined;
  };
  await boot();

  const deliverAll: Economy['deliverAll'] = async (topic, events) => {
    const records = events.map(({ key, payload, eventId = randomUUID() }) => ({
      topic,
      key,
      headers: {},
      envelope: {
        eventId,
        type: topic,
        occurredAt: new Date().toISOString(),
        producer: 'test',
        traceId: randomUUID().replaceAll('-', ''),
        key,
        payload,
      },
    }));
    await bus.publish(records);
    return records.map((record) => record.envelope.eventId);
  };
  const deliver: Economy['deliver'] = async (topic, key, payload, eventId) =>
    (await deliverAll(topic, [{ key, payload, ...(eventId ? { eventId } : {}) }]))[0] as string;

  const call: Economy['call'] = async (method, path, token, body, headers = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };

  return {
    get base() {
      return base;
    },
    db: test.db,
    test,
    issuer,
    get service() {
      if (!service) throw new Error('the service is stopped');
      return service;
    },
    stop: halt,
    start: boot,
    deliver,
    deliverAll,
    call,
    async player(origin = 'street_kid', characterClass = 'techie', skills = startingSkills[characterClass] ?? {}) {
      const accountId = randomUUID();
      const characterId = randomUUID();
      issuer.remoteSkills.set(characterId, skills);
      await deliver('characters.lifecycle', characterId, {
        kind: 'created',
        characterId,
        accountId,
        origin,
        class: characterClass,
        district: 'watson',
      });
      return { accountId, characterId, token: await issuer.token(accountId) };
    },
    adminToken: () => issuer.token(randomUUID(), ['admin']),
    async assertAuditBalanced() {
      const audit = await call('GET', '/api/v1/economy/audit', await issuer.token(randomUUID(), ['admin']));
      assert.equal(audit.status, 200);
      assert.equal(audit.body.balanced, true, JSON.stringify(audit.body));
    },
    async close() {
      await halt();
      await cache.close();
      await test.close();
      await issuer.close();
    },
  };
}
