import { randomUUID } from 'node:crypto';
import {
  type Authenticator,
  type Cache,
  createAuthenticator,
  createDenyList,
  createTokenVerifier,
} from '@necp/platform';
import { generateKeyPair, SignJWT } from 'jose';

/**
 * A test issuer: its own RS256 key pair, an authenticator that trusts only that key, and a minting
 * function, so the service's routes run their real verification without auth-service.
 */
export interface TestIssuer {
  authenticator: Authenticator;
  mint(accountId: string, roles?: string[]): Promise<string>;
}

export async function createTestIssuer(cache: Cache, audience: string): Promise<TestIssuer> {
  const issuer = 'https://issuer.test.necp';
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const verifier = createTokenVerifier({ issuer, audience, keys: { kind: 'local', getKey: async () => publicKey } });
  const authenticator = createAuthenticator(verifier, createDenyList(cache, { entryTtlMs: 900_000 }));
  return {
    authenticator,
    mint: (accountId, roles = ['player']) =>
      new SignJWT({ roles, sid: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'test' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(accountId)
        .setIssuedAt()
        .setExpirationTime('15m')
        .sign(privateKey),
  };
}
