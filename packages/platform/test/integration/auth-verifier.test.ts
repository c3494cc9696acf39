import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { TokenRejectedError } from '../../src/auth/claims.ts';
import { createDenyList } from '../../src/auth/deny-list.ts';
import { createAuthenticator } from '../../src/auth/http-auth.ts';
import { createTokenVerifier, IssuerUnavailableError } from '../../src/auth/verifier.ts';
import { MemoryCache } from '../../src/cache/cache.ts';
import { AppError } from '../../src/problem.ts';
import { type SigningKey, startTestIssuer, type TestIssuer } from '../../src/testing.ts';

const audience = 'necp-api';
let testIssuer: TestIssuer;
let issuer: string;

let privateKey: SigningKey;
let otherKey: SigningKey;

before(async () => {
  testIssuer = await startTestIssuer();
  issuer = testIssuer.issuer;
  privateKey = testIssuer.signingKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
});
after(() => testIssuer.close());

interface Forge {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  key?: SigningKey | Uint8Array;
  expiresIn?: number;
}

async function sign(forge: Forge = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const alg = forge.key instanceof Uint8Array ? 'HS256' : 'RS256';
  const claims = {
    iss: issuer,
    aud: audience,
    sub: 'account-1',
    iat: now,
    exp: now + (forge.expiresIn ?? 300),
    roles: ['player'],
    sid: 'session-1',
    ...forge.claims,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: testIssuer.kid, typ: 'at+jwt', ...forge.header })
    .sign(forge.key ?? privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.reason;
    throw error;
  }
  assert.fail('the token was accepted');
}

describe('token verification', () => {
  const verifier = () => createTokenVerifier({ issuer, audience, keys: { kind: 'discovery' } });

  it('accepts a good token found through discovery', async () => {
    const auth = await verifier().verify(await sign());
    assert.equal(auth.accountId, 'account-1');
    assert.equal(auth.sessionId, 'session-1');
    assert.deepEqual(auth.roles, ['player']);
  });

  it('refuses alg none', async () => {
    const [, payload] = (await sign()).split('.');
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt', kid: testIssuer.kid })}.${payload}.`;
    assert.equal(await rejection(verifier().verify(unsigned)), 'invalid');
  });

  it('refuses HS256 signed with a guessed key, including the public key as HMAC secret', async () => {
    assert.equal(
      await rejection(verifier().verify(await sign({ key: new TextEncoder().encode('secret') }))),
      'invalid',
    );
    const publicJwk = JSON.stringify(testIssuer.publishedKeys[0]);
    const confused = await sign({ key: new TextEncoder().encode(publicJwk) });
    assert.equal(await rejection(verifier().verify(confused)), 'invalid');
  });

  it('refuses a wrong issuer, a wrong audience, an expired token and one not yet valid', async () => {
    const v = verifier();
    assert.equal(await rejection(v.verify(await sign({ claims: { iss: 'http://evil.example' } }))), 'invalid');
    assert.equal(await rejection(v.verify(await sign({ claims: { aud: 'other-api' } }))), 'invalid');
    assert.equal(await rejection(v.verify(await sign({ expiresIn: -120 }))), 'expired');
    const nbf = Math.floor(Date.now() / 1000) + 600;
    assert.equal(await rejection(v.verify(await sign({ claims: { nbf } }))), 'invalid');
  });

  it('refuses a tampered payload and a key it does not know', async () => {
    const [header, payload, signature] = (await sign()).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const tampered = `${header}.${b64({ ...claims, roles: ['admin'] })}.${signature}`;
    assert.equal(await rejection(verifier().verify(tampered)), 'invalid');
    assert.equal(await rejection(verifier().verify(await sign({ key: otherKey }))), 'invalid');
  });

  it('refuses ID and refresh tokens of the same issuer', async () => {
    const id = await sign({ header: { typ: 'JWT' }, claims: { typ: 'ID' } });
    assert.equal(await rejection(verifier().verify(id)), 'not-access-token');
    const refresh = await sign({ header: { typ: 'JWT' }, claims: { typ: 'Refresh' } });
    assert.equal(await rejection(verifier().verify(refresh)), 'not-access-token');
  });

  it('refetches the key set when a new kid appears', async () => {
    const v = createTokenVerifier({ issuer, audience, keys: { kind: 'jwks', url: testIssuer.jwksUrl } });
    await v.verify(await sign());
    const hits = testIssuer.jwksFetches;
    await v.verify(await sign());
    assert.equal(testIssuer.jwksFetches, hits, 'the key set is cached');
    const next = await generateKeyPair('ES256');
    testIssuer.publishedKeys.push({ ...(await exportJWK(next.publicKey)), kid: 'k2', alg: 'ES256' });
    const rotated = await new SignJWT({ roles: ['player'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k2', typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('account-2')
      .setExpirationTime('5m')
      .sign(next.privateKey);
    // jose holds back refetches for a 30 s cooldown after a fetch; a fresh verifier shows the refetch itself.
    const fresh = createTokenVerifier({ issuer, audience, keys: { kind: 'jwks', url: testIssuer.jwksUrl } });
    assert.equal((await fresh.verify(rotated)).accountId, 'account-2');
  });

  it('remembers a verified token: no second signature check within the TTL, expiry still enforced', async () => {
    let keyLookups = 0;
    const local = createTokenVerifier({
      issuer,
      audience,
      clockToleranceSeconds: 0,
      cacheTtlMs: 300,
      keys: {
        kind: 'local',
        getKey: async (header) => {
          keyLookups++;
          const remote = createRemoteJWKSet(new URL(testIssuer.jwksUrl));
          return remote(header);
        },
      },
    });
    const token = await sign({ expiresIn: 2 });
    assert.equal(local.remembered(token), undefined, 'nothing is remembered before a verification');
    const first = await local.verify(token);
    const again = await local.verify(token);
    assert.equal(keyLookups, 1, 'the second request skipped the signature check');
    assert.deepEqual(again, first);
    assert.equal(local.remembered(token), again, 'the verified identity, without a promise');
    assert.throws(() => (again.roles as string[]).push('admin'), 'a remembered identity cannot be altered');
    // A forged token that shares a remembered token's claims is still checked in full.
    const [header, payload] = token.split('.');
    assert.equal(await rejection(local.verify(`${header}.${payload}.${b64('forged')}`)), 'invalid');
    assert.equal(local.remembered(`${header}.${payload}.${b64('forged')}`), undefined, 'a refused token is not kept');
    await new Promise((resolve) => setTimeout(resolve, 350));
    await local.verify(token);
    assert.equal(keyLookups, 3, 'checked again once the TTL passed (the forgery cost one lookup)');
    await new Promise((resolve) => setTimeout(resolve, 2_100 - 350));
    assert.equal(local.remembered(token), undefined, 'an expired token is not answered from memory');
    assert.equal(await rejection(local.verify(token)), 'expired', 'a remembered token expires on time');
  });

  it('tells an unreachable issuer apart from a bad token', async () => {
    const v = createTokenVerifier({ issuer: 'http://127.0.0.1:9', audience, keys: { kind: 'discovery' } });
    await assert.rejects(v.verify(await sign()), IssuerUnavailableError);
  });
});

describe('authenticator', () => {
  it('maps refusals to the API codes and honours the deny-list', async () => {
    const cache = new MemoryCache();
    const denyList = createDenyList(cache, { entryTtlMs: 60_000 });
    const auth = createAuthenticator(createTokenVerifier({ issuer, audience, keys: { kind: 'discovery' } }), denyList);
    const token = await sign();
    assert.equal((await auth.authenticateToken(token)).accountId, 'account-1');
    const code = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        assert.ok(error instanceof AppError);
        return `${error.status} ${error.code}`;
      }
      return 'accepted';
    };
    assert.equal(await code(auth.authenticateToken(await sign({ expiresIn: -120 }))), '401 TOKEN_EXPIRED');
    assert.equal(await code(auth.authenticateToken('not.a.jwt')), '401 UNAUTHENTICATED');
    await denyList.revokeSession('session-1');
    assert.equal(await code(auth.authenticateToken(token)), '401 TOKEN_REVOKED');
    await denyList.banAccount('account-1');
    assert.equal(await code(auth.authenticateToken(token)), '403 ACCOUNT_BANNED');
    await cache.close();
  });
});
