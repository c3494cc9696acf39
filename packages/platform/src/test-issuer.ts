import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface TestTokenOptions {
  accountId?: string;
  roles?: string[];
  sessionId?: string;
  expiresInSeconds?: number;
  audience?: string;
}

/**
 * An OIDC issuer for tests of services and the gateway: discovery and JWKS served on a loopback
 * port, access tokens signed with its RS256 key. Point `OIDC_ISSUER` at `issuer` and the platform's
 * verifier accepts its tokens exactly as it would auth-service's or Keycloak's.
 */
export interface TestIssuer {
  issuer: string;
  token(options?: TestTokenOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  let issuer = '';
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') {
      response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, token_endpoint: `${issuer}/token` }));
    } else if (request.url === '/jwks') {
      response.end(JSON.stringify(jwks));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    token: (options = {}) =>
      new SignJWT({ roles: options.roles ?? ['player'], sid: options.sessionId ?? randomUUID() })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(options.audience ?? 'necp-api')
        .setSubject(options.accountId ?? randomUUID())
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 300))
        .sign(privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
