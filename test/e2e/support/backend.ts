/**
 * The whole backend in one process for a journey through the gateway: a database of its own (on
 * PostgreSQL when DATABASE_URL is set), seeded staff with throwaway passwords, the gateway as the
 * token issuer players see, Redis keys of its own (runs on real servers share one Redis, and so the
 * rate-limit counters of 127.0.0.1), and `settings` on top.
 */
import { randomUUID } from 'node:crypto';
import { type AllInOne, startAllInOne } from '@necp/all-in-one';
import { freeServicePorts } from '@necp/all-in-one/free-ports';
import { createFreshDatabase, testConfig } from '@necp/platform/testing';

export interface E2eBackend {
  backend: AllInOne;
  /** The gateway's base address. */
  gateway: string;
  adminPassword: string;
  stop(): Promise<void>;
}

export async function startE2eBackend(settings: Record<string, string> = {}): Promise<E2eBackend> {
  const database = await createFreshDatabase();
  const { ports, urls } = await freeServicePorts();
  const adminPassword = `admin-${randomUUID()}`;
  const backend = await startAllInOne(
    testConfig({
      ...urls,
      HOST: '127.0.0.1',
      ...(database.url ? { DATABASE_URL: database.url } : {}),
      AUTH_ISSUER_URL: `http://127.0.0.1:${ports.gateway}`,
      SEED_ADMIN_PASSWORD: adminPassword,
      SEED_ARBITER_PASSWORD: `arbiter-${randomUUID()}`,
      REDIS_KEY_PREFIX: `necp-e2e-${randomUUID()}:`,
      // As a deployment on real servers sets it (embedded mode generates one): economy asks
      // character-service about characters its projection has not seen, with its own token.
      ECONOMY_CLIENT_SECRET: `economy-${randomUUID()}`,
      // the gateway's stream learns which account owns a character from character-service with its own token.
      GATEWAY_CLIENT_SECRET: `gateway-${randomUUID()}`,
      // gameplay reads combat loadouts from character-service with its own token.
      GAMEPLAY_CLIENT_SECRET: `gameplay-${randomUUID()}`,
      // social locks escrow at economy and reads characters' factions with its own token.
      SOCIAL_CLIENT_SECRET: `social-${randomUUID()}`,
      ...settings,
    }),
    ports,
  );
  return {
    backend,
    gateway: `http://127.0.0.1:${ports.gateway}`,
    adminPassword,
    async stop() {
      await backend.stop();
      await database.drop();
    },
  };
}
