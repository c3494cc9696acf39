import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import {
  createFakeCharacterService,
  type FakeCharacterService,
  InternalCharactersPrefix,
} from './fake-character-service.ts';

/** jose's key type; the DOM lib that names CryptoKey globally is not part of this Node project. */
export type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface TestTokenOptions {
  accountId?: string;
  roles?: string[];
  /** `sid`; a fresh one when absent, none when null (a client-credentials token). */
  sessionId?: string | null;
  /** `client_id`: the client that obtained the token; none when absent. */
  clientId?: string;
  expiresInSeconds?: number;
  audience?: string;
}

/**
 * An OIDC issuer and the peers a service calls, on one loopback port:
 *  - auth-service's side: discovery, JWKS at `/.well-known/jwks.json` (where `verifierFor` reads it
 *    with AUTH_URL, and where discovery points with OIDC_ISSUER), and the token endpoint
 *    `POST /api/v1/auth/token`, whose client-credentials grant answers a token with role `service`;
 *  - character-service's internal endpoints, from the maps the test fills.
 * Its tokens are RS256 access tokens the platform's verifier accepts exactly as auth-service's.
 */
export interface TestIssuer extends FakeCharacterService {
  /** Where the server answers: AUTH_URL, CHARACTER_URL. */
  url: string;
  /** `iss` of its tokens (AUTH_ISSUER_URL, OIDC_ISSUER): the same address. */
  issuer: string;
  jwksUrl: string;
  /** The key set the JWKS endpoint serves; push a key to publish it (a rotation). */
  publishedKeys: JWK[];
  /** The private key and `kid` its tokens are signed with, for tests that forge tokens of their own. */
  signingKey: SigningKey;
  kid: string;
  /** How many times the JWKS was fetched. */
  readonly jwksFetches: number;
  token(options?: TestTokenOptions): Promise<string>;
  token(accountId: string, roles?: string[]): Promise<string>;
  close(): Promise<void>;
}

const DefaultLifetimeSeconds = 600;

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

/** The client of a client-credentials request: HTTP Basic, or `client_id` in a form or JSON body. */
async function clientOf(request: IncomingMessage): Promise<string | undefined> {
  const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (basic) return decodeURIComponent(Buffer.from(basic, 'base64').toString().split(':')[0] ?? '');
  const text = await readBody(request);
  if (String(request.headers['content-type']).includes('json')) {
    const body = JSON.parse(text || '{}') as { client_id?: unknown };
    return typeof body.client_id === 'string' ? body.client_id : undefined;
  }
  return new URLSearchParams(text).get('client_id') ?? undefined;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const publishedKeys: JWK[] = [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }];
  const character = createFakeCharacterService();
  let jwksFetches = 0;
  let url = '';

  const sign = (options: TestTokenOptions): Promise<string> => {
    const claims: Record<string, unknown> = { roles: options.roles ?? ['player'] };
    if (options.sessionId !== null) claims.sid = options.sessionId ?? randomUUID();
    if (options.clientId) claims.client_id = options.clientId;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
      .setIssuer(url)
      .setAudience(options.audience ?? 'necp-api')
      .setSubject(options.accountId ?? randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? DefaultLifetimeSeconds))
      .sign(privateKey);
  };

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    response.statusCode = status;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(body));
  };

  const grant = async (request: IncomingMessage, response: ServerResponse) => {
    const clientId = await clientOf(request);
    if (!clientId) return answer(response, 401, { error: 'invalid_client' });
    const token = await sign({ accountId: clientId, clientId, roles: ['service'], sessionId: null });
    answer(response, 200, { access_token: token, token_type: 'Bearer', expires_in: DefaultLifetimeSeconds });
  };

  const server = createServer((request, response) => {
    const path = request.url ?? '';
    if (path.startsWith(InternalCharactersPrefix)) return character.handle(request, response);
    if (path === '/.well-known/openid-configuration') {
      return answer(response, 200, {
        issuer: url,
        jwks_uri: `${url}/.well-known/jwks.json`,
        token_endpoint: `${url}/api/v1/auth/token`,
        grant_types_supported: ['client_credentials'],
      });
    }
    if (path === '/.well-known/jwks.json') {
      jwksFetches += 1;
      return answer(response, 200, { keys: publishedKeys });
    }
    if (path === '/api/v1/auth/token' && request.method === 'POST') {
      grant(request, response).catch(() => answer(response, 400, { error: 'invalid_request' }));
      return;
    }
    answer(response, 404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const token = (first?: string | TestTokenOptions, roles?: string[]) =>
    sign(typeof first === 'string' ? { accountId: first, ...(roles ? { roles } : {}) } : (first ?? {}));
  return {
    url,
    issuer: url,
    jwksUrl: `${url}/.well-known/jwks.json`,
    publishedKeys,
    signingKey: privateKey,
    kid,
    get jwksFetches() {
      return jwksFetches;
    },
    remoteOwners: character.remoteOwners,
    remoteSkills: character.remoteSkills,
    remoteLoadouts: character.remoteLoadouts,
    get ownerLookups() {
      return character.ownerLookups;
    },
    get skillLookups() {
      return character.skillLookups;
    },
    get characterServiceDown() {
      return character.characterServiceDown;
    },
    set characterServiceDown(down: boolean) {
      character.characterServiceDown = down;
    },
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of a service still running (a failed test) must not hold the close.
        server.closeAllConnections();
      }),
  };
}
