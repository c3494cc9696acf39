import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { type AuthContext, TokenRejectedError, toAuthContext } from './claims.ts';

/** Asymmetric algorithms only: `none` and HMAC (whose key a verifier would have to share) never verify. */
export const AllowedAlgorithms = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof AllowedAlgorithms)[number];

/** Where the issuer's public keys come from. */
export type KeySource =
  /** OIDC discovery: `<issuer>/.well-known/openid-configuration` names the JWKS (Keycloak, any issuer). */
  | { kind: 'discovery' }
  /** A JWKS address known in advance (auth-service reached directly, not through the gateway). */
  | { kind: 'jwks'; url: string }
  /** Keys held in this process (auth-service verifying its own tokens). */
  | { kind: 'local'; getKey: JWTVerifyGetKey };

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  keys: KeySource;
  algorithms?: readonly SigningAlgorithm[];
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  clockToleranceSeconds?: number;
  /** Timeout of discovery and JWKS requests. */
  fetchTimeoutMs?: number;
}

export interface TokenVerifier {
  readonly issuer: string;
  /** Resolves with the token's identity or throws TokenRejectedError / IssuerUnavailableError. */
  verify(token: string): Promise<AuthContext>;
}

/** The issuer's discovery document or keys could not be fetched: the token is neither good nor bad yet. */
export class IssuerUnavailableError extends Error {
  override name = 'IssuerUnavailableError';
}

interface DiscoveryDocument {
  issuer?: unknown;
  jwks_uri?: unknown;
  token_endpoint?: unknown;
}

/** Fetches and checks an issuer's discovery document (OpenID Connect Discovery 1.0 §4). */
export async function discover(issuer: string, timeoutMs = 5000): Promise<{ jwksUri: string; tokenEndpoint: string }> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let document: DiscoveryDocument;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as DiscoveryDocument;
  } catch (error) {
    throw new IssuerUnavailableError(`discovery at ${url} failed: ${(error as Error).message}`);
  }
  // A document claiming another issuer would let that issuer's keys vouch for ours.
  if (document.issuer !== issuer) {
    throw new IssuerUnavailableError(`discovery at ${url} names issuer ${String(document.issuer)}, not ${issuer}`);
  }
  if (typeof document.jwks_uri !== 'string' || typeof document.token_endpoint !== 'string') {
    throw new IssuerUnavailableError(`discovery at ${url} lacks jwks_uri or token_endpoint`);
  }
  return { jwksUri: document.jwks_uri, tokenEndpoint: document.token_endpoint };
}

const rejectedCodes = new Set([
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JOSE_NOT_SUPPORTED',
]);

function classify(error: unknown): Error {
  if (error instanceof TokenRejectedError || error instanceof IssuerUnavailableError) return error;
  if (error instanceof errors.JWTExpired) return new TokenRejectedError('expired', 'The token has expired');
  if (error instanceof errors.JOSEError && rejectedCodes.has(error.code)) {
    return new TokenRejectedError('invalid', error.message);
  }
  // Anything else is the key fetch failing (timeout, refused connection, bad JWKS): not the token's fault.
  return new IssuerUnavailableError(`the issuer's keys could not be read: ${(error as Error).message}`);
}

/**
 * Verifies access tokens of one issuer: signature against its keys (the remote set is cached and
 * refetched when an unknown `kid` appears, with jose's cooldown against floods of forged kids),
 * then `iss`, `aud`, `exp`, `nbf`, the algorithm and the token type.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const timeoutMs = options.fetchTimeoutMs ?? 5000;
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = (): Promise<JWTVerifyGetKey> => {
    if (options.keys.kind === 'local') return Promise.resolve(options.keys.getKey);
    if (options.keys.kind === 'jwks') {
      keys ??= Promise.resolve(createRemoteJWKSet(new URL(options.keys.url), { timeoutDuration: timeoutMs }));
      return keys;
    }
    keys ??= discover(options.issuer, timeoutMs).then(({ jwksUri }) =>
      createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: timeoutMs }),
    );
    // A failed discovery is retried by the next request rather than remembered.
    keys.catch(() => {
      keys = undefined;
    });
    return keys;
  };
  return {
    issuer: options.issuer,
    async verify(token) {
      try {
        const getKey = await keySet();
        const { payload, protectedHeader } = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: [...(options.algorithms ?? AllowedAlgorithms)],
          clockTolerance: options.clockToleranceSeconds ?? 30,
          requiredClaims: ['exp', 'sub'],
        });
        return toAuthContext(token, protectedHeader, payload);
      } catch (error) {
        throw classify(error);
      }
    },
  };
}
