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
  /** Verified tokens remembered (by their exact text) so a client's next request skips the signature check. */
  cacheSize?: number;
  /** How long a verification is remembered: bounds how long a key withdrawn from the JWKS still counts. */
  cacheTtlMs?: number;
}

export interface TokenVerifier {
  readonly issuer: string;
  /** Resolves with the token's identity or throws TokenRejectedError / IssuerUnavailableError. */
  verify(token: string): Promise<AuthContext>;
  /**
   * The identity of a token `verify` accepted within the TTL and still unexpired, at once; undefined
   * otherwise (then `verify` decides). Spares a caller's hot path the promises of `verify`.
   */
  remembered(token: string): AuthContext | undefined;
  /** Resolves when the issuer's keys can be fetched now, throws IssuerUnavailableError when not (readiness). */
  reachIssuer(): Promise<void>;
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
 * Remembers verified tokens: the same bytes verify the same way until they expire, so a client
 * sending its token with every request pays for one RSA/ECDSA check per TTL, not per request (the
 * check was a tenth of the gateway's and a service's CPU). Only successes are kept; revocation
 * (the deny-list) is checked by the caller on every request regardless.
 */
class VerifiedTokens {
  readonly #entries = new Map<string, { context: AuthContext; verifiedAt: number }>();
  readonly #size: number;
  readonly #ttlMs: number;
  constructor(size: number, ttlMs: number) {
    this.#size = size;
    this.#ttlMs = ttlMs;
  }
  get(token: string, now: number): AuthContext | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (now - entry.verifiedAt > this.#ttlMs) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.context;
  }
  set(token: string, context: AuthContext, now: number): void {
    if (this.#size <= 0) return;
    // Oldest first out: a Map iterates in insertion order.
    if (this.#entries.size >= this.#size) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(token, {
      context: Object.freeze({ ...context, roles: Object.freeze([...context.roles]) as string[] }),
      verifiedAt: now,
    });
  }
}

/**
 * Verifies access tokens of one issuer: signature against its keys (the remote set is cached and
 * refetched when an unknown `kid` appears, with jose's cooldown against floods of forged kids),
 * then `iss`, `aud`, `exp`, `nbf`, the algorithm and the token type. A token verified within
 * `cacheTtlMs` is answered from memory, its expiry checked again.
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
  const fetchKeys = async (url: string) => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      throw new IssuerUnavailableError(`the issuer's keys at ${url} cannot be fetched: ${(error as Error).message}`);
    }
  };
  const toleranceMs = (options.clockToleranceSeconds ?? 30) * 1000;
  const verified = new VerifiedTokens(options.cacheSize ?? 10_000, options.cacheTtlMs ?? 60_000);
  return {
    issuer: options.issuer,
    async reachIssuer() {
      if (options.keys.kind === 'local') return;
      const url = options.keys.kind === 'jwks' ? options.keys.url : (await discover(options.issuer, timeoutMs)).jwksUri;
      await fetchKeys(url);
    },
    remembered(token) {
      const now = Date.now();
      const known = verified.get(token, now);
      return known && known.expiresAt.getTime() + toleranceMs > now ? known : undefined;
    },
    async verify(token) {
      const now = Date.now();
      const known = verified.get(token, now);
      if (known) {
        if (known.expiresAt.getTime() + toleranceMs <= now)
          throw new TokenRejectedError('expired', 'The token has expired');
        return known;
      }
      try {
        const getKey = await keySet();
        const { payload, protectedHeader } = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: [...(options.algorithms ?? AllowedAlgorithms)],
          clockTolerance: options.clockToleranceSeconds ?? 30,
          requiredClaims: ['exp', 'sub'],
        });
        const context = toAuthContext(token, protectedHeader, payload);
        verified.set(token, context, now);
        return context;
      } catch (error) {
        throw classify(error);
      }
    },
  };
}
