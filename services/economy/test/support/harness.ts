/**
 * The real economy-service on a fresh database behind the platform's test issuer, which also
 * stands in for character-service (owners, skills, an outage). Events arrive through the
 * in-process bus, as the relay delivers them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type ServiceUnderTest, startServiceUnderTest, startTestIssuer, type TestIssuer } from '@necp/platform/testing';
import { economyService } from '../../src/service.ts';

export type Skills = Partial<Record<'ballistics' | 'precision' | 'engineering' | 'hacking', number>>;

/** The skills character-service gives each class at creation (shared/DOMAIN.md, Characters). */
export const startingSkills: Record<string, Skills> = {
  solo: { ballistics: 30, precision: 20, engineering: 5, hacking: 0 },
  netrunner: { ballistics: 0, precision: 10, engineering: 10, hacking: 35 },
  techie: { ballistics: 15, precision: 10, engineering: 35, hacking: 0 },
};

export type Issuer = TestIssuer;
export const startIssuer = startTestIssuer;

export interface Economy extends Omit<ServiceUnderTest, 'player'> {
  /**
   * A player account with a fresh character of `origin` whose starting kit has been granted; the
   * stand-in character-service knows its skills: `skills`, or its class's starting ones.
   */
  player(
    origin?: string,
    characterClass?: string,
    skills?: Skills,
  ): Promise<{ accountId: string; characterId: string; token: string }>;
  /** Asks `GET /api/v1/economy/audit` as an admin and fails unless every asset sums to zero. */
  assertAuditBalanced(): Promise<void>;
}

export async function startEconomy(env: Record<string, string> = {}): Promise<Economy> {
  // social-service's internal endpoint (a player's escrow lock asks it) is the issuer's: it knows no order (404).
  const issuer = await startTestIssuer();
  const economy = await startServiceUnderTest(economyService, { env: { SOCIAL_URL: issuer.url, ...env }, issuer });
  // On top of the harness rather than a copy of it, so its getters (base, service) stay live.
  return Object.assign(Object.create(economy) as ServiceUnderTest, {
    async close() {
      await economy.close();
      await issuer.close();
    },
    async player(origin = 'street_kid', characterClass = 'techie', skills = startingSkills[characterClass] ?? {}) {
      const accountId = randomUUID();
      const characterId = randomUUID();
      economy.issuer.remoteSkills.set(characterId, skills);
      await economy.deliver('characters.lifecycle', characterId, {
        kind: 'created',
        characterId,
        accountId,
        origin,
        class: characterClass,
        district: 'watson',
      });
      return { accountId, characterId, token: await economy.token(accountId) };
    },
    async assertAuditBalanced() {
      const audit = await economy.call('GET', '/api/v1/economy/audit', await economy.adminToken());
      assert.equal(audit.status, 200);
      assert.equal(audit.body.balanced, true, JSON.stringify(audit.body));
    },
  });
}
