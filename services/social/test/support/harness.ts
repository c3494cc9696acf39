/**
 * social-service and the real economy-service, each on a fresh database behind one test issuer
 * (which also stands in for character-service: owners and factions). Social calls economy over
 * HTTP with its service token; economy asks social about orders through a forwarder (both listen
 * on port 0, so economy starts first). Events cross between them as the relay would carry them:
 * `pump` reads each one's outbox and delivers what the other has not seen, with the same eventId.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Topic } from '@necp/contracts';
import { economyService } from '@necp/economy-service';
import { type ServiceUnderTest, startServiceUnderTest, startTestIssuer, type TestIssuer } from '@necp/platform/testing';
import { sql } from 'kysely';
import { socialService } from '../../src/service.ts';

export interface Player {
  accountId: string;
  characterId: string;
  token: string;
}

export interface Market {
  social: ServiceUnderTest;
  economy: ServiceUnderTest;
  issuer: TestIssuer;
  /** A player account with a fresh character (1,000 starting eddies at economy), of `faction` when given. */
  player(faction?: string): Promise<Player>;
  arbiter(): Promise<string>;
  /** Carries every outbox event across, both ways, until neither side has anything new. */
  pump(): Promise<void>;
  eddies(characterId: string): Promise<{ available: number; held: number }>;
  assertAuditBalanced(): Promise<void>;
  close(): Promise<void>;
}

/** A loopback proxy whose target is set once the target listens. */
async function startForwarder(): Promise<{ url: string; target: string; close(): Promise<void> }> {
  const forwarder = {
    url: '',
    target: '',
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((incoming, outgoing) => {
    const target = new URL(incoming.url ?? '/', forwarder.target);
    const upstream = httpRequest(target, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  forwarder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return forwarder;
}

async function outboxEvents(service: ServiceUnderTest, topic: Topic) {
  const rows = await sql<{ id: string; aggregateid: string; payload: { payload: unknown } }>`
    SELECT id, aggregateid, payload FROM mvp_meta.outbox WHERE aggregatetype = ${topic} ORDER BY seq`.execute(
    service.db.kysely,
  );
  return rows.rows;
}

export async function startMarket(env: Record<string, string> = {}): Promise<Market> {
  const issuer = await startTestIssuer();
  const toSocial = await startForwarder();
  const economy = await startServiceUnderTest(economyService, { issuer, env: { SOCIAL_URL: toSocial.url, ...env } });
  const social = await startServiceUnderTest(socialService, { issuer, env: { ECONOMY_URL: economy.base, ...env } });
  toSocial.target = social.base;
  const delivered = new Set<string>();
  const carry = async (from: ServiceUnderTest, to: ServiceUnderTest, topic: Topic) => {
    let moved = 0;
    for (const row of await outboxEvents(from, topic)) {
      if (delivered.has(row.id)) continue;
      delivered.add(row.id);
      // biome-ignore lint/suspicious/noExplicitAny: the payload was checked against its topic when written
      await to.deliver(topic, row.aggregateid, row.payload.payload as any, row.id);
      moved += 1;
    }
    return moved;
  };
  const admin = await economy.adminToken();
  return {
    social,
    economy,
    issuer,
    async player(faction) {
      const accountId = randomUUID();
      const characterId = randomUUID();
      issuer.remoteOwners.set(characterId, accountId);
      if (faction) issuer.remoteLoadouts.set(characterId, { faction });
      await economy.deliver('characters.lifecycle', characterId, {
        kind: 'created',
        characterId,
        accountId,
        origin: 'street_kid',
        class: 'solo',
        district: 'watson',
      });
      return { accountId, characterId, token: await issuer.token(accountId, ['player']) };
    },
    arbiter: () => issuer.token(randomUUID(), ['player', 'arbiter']),
    async pump() {
      for (;;) {
        const moved =
          (await carry(social, economy, 'social.orders.lifecycle')) +
          (await carry(economy, social, 'economy.escrow.events'));
        if (moved === 0) return;
      }
    },
    async eddies(characterId) {
      const wallet = await economy.call('GET', `/api/v1/economy/wallets/${characterId}`, admin);
      const { available, held } = wallet.body.balances.find((entry: { asset: string }) => entry.asset === 'EDD');
      return { available, held };
    },
    async assertAuditBalanced() {
      const audit = await economy.call('GET', '/api/v1/economy/audit', admin);
      assert.equal(audit.status, 200);
      assert.equal(audit.body.balanced, true, JSON.stringify(audit.body));
    },
    async close() {
      await social.close();
      await economy.close();
      await toSocial.close();
      await issuer.close();
    },
  };
}

/** A draft body for `customer`, due in a day unless told. */
export function orderBody(customerCharacterId: string, overrides: Record<string, unknown> = {}) {
  return {
    customerCharacterId,
    orderType: 'combat',
    title: 'Clear the garage',
    description: 'Maelstrom squatters in the Watson garage',
    districtId: 'watson',
    reward: 500,
    deadline: new Date(Date.now() + 86_400_000).toISOString(),
    accessLevel: 'public',
    ...overrides,
  };
}
