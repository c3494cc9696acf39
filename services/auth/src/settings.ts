import type { PlatformConfig } from '@necp/platform';
import { type Static, Type } from 'typebox';
import { type SigningAlg, SigningAlgs } from './domain/keys.ts';

/**
 * auth-service's own variables (README, Identity). What other services need as well stays in the
 * platform's configuration: the issuer URL, the audience, the access-token lifetime (it bounds
 * deny-list entries) and the client secrets.
 */
export const AuthSettingsSchema = Type.Object({
  AUTH_REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, default: 604_800 }),
  /**
   * A refresh token presented again this long after its first use is a client retrying (it gets the
   * same successor), later a replay (its session ends); 0 turns retries off.
   */
  AUTH_REFRESH_REUSE_GRACE_SECONDS: Type.Integer({ minimum: 0, maximum: 60, default: 5 }),
  /** How long a signing key signs before the next one takes over. */
  AUTH_KEY_ROTATION_SECONDS: Type.Integer({ minimum: 60, default: 604_800 }),
  AUTH_SIGNING_ALG: Type.Union(
    SigningAlgs.map((alg) => Type.Literal(alg)),
    { default: 'RS256' },
  ),
  /** Encrypts signing keys at rest; embedded mode generates one into DATA_DIR when absent. */
  AUTH_KEY_ENCRYPTION_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  /** Failed logins from one source (IP, IPv6 /64) against one account before that pair is locked. */
  AUTH_LOCKOUT_THRESHOLD: Type.Integer({ minimum: 1, default: 5 }),
  /** The first lock's length; each further failure from that source doubles it up to the maximum. */
  AUTH_LOCKOUT_SECONDS: Type.Integer({ minimum: 1, default: 900 }),
  AUTH_LOCKOUT_MAX_SECONDS: Type.Integer({ minimum: 1, default: 3600 }),
  /** How long a source's failures against an account are remembered, from the first one. */
  AUTH_LOCKOUT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 86_400 }),
  /** Peers whose X-Forwarded-For names the caller (the gateway): comma-separated addresses, empty for none. */
  AUTH_TRUSTED_PROXIES: Type.String({ maxLength: 1000, default: '127.0.0.1,::1' }),
  /**
   * Public clients (no secret) allowed the password grant, comma-separated; the first is the one a
   * request naming no client is taken for.
   */
  AUTH_PUBLIC_CLIENTS: Type.String({ pattern: '^[A-Za-z0-9._~-]+(,[A-Za-z0-9._~-]+)*$', default: 'necp-game' }),
  /** argon2id cost (OWASP's 19 MiB, 2 passes, 1 lane by default). */
  AUTH_ARGON2_MEMORY_KIB: Type.Integer({ minimum: 1024, default: 19_456 }),
  AUTH_ARGON2_ITERATIONS: Type.Integer({ minimum: 1, default: 2 }),
  AUTH_ARGON2_PARALLELISM: Type.Integer({ minimum: 1, default: 1 }),
  SEED_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 10, maxLength: 128 })),
  SEED_ARBITER_PASSWORD: Type.Optional(Type.String({ minLength: 10, maxLength: 128 })),
});
export type AuthVariables = Static<typeof AuthSettingsSchema>;

/** auth-service's numbers, read once at start so no rule carries a literal. */
export interface AuthSettings {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** How long after a refresh token's use a second use is a retry, not a replay. */
  refreshReuseGraceSeconds: number;
  keyRotationSeconds: number;
  /** A new key is published this long before it signs, so verifiers have it before they see it. */
  keyPrepublishSeconds: number;
  /** Clock skew allowed to verifiers, added to how long a retired key stays published. */
  clockSkewSeconds: number;
  signingAlg: SigningAlg;
  /** AUTH_KEY_ENCRYPTION_SECRET; when absent, `keyEncryptionSecret` finds or makes one. */
  keyEncryptionSecret: string | undefined;
  lockout: {
    threshold: number;
    lockoutMs: number;
    maxLockoutMs: number;
    /** Failure counts, locks and unlocks live this long (never shorter than the longest lock). */
    windowMs: number;
  };
  /** Peers believed when they say, in X-Forwarded-For, whom they forward. */
  trustedProxies: string[];
  /** Public clients' ids; the first is the default client. */
  publicClients: [string, ...string[]];
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** Passwords of the seeded `admin` and `arbiter` accounts. */
  seedPasswords: { admin: string | undefined; arbiter: string | undefined };
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function publicClients(value: string): [string, ...string[]] {
  const [first, ...rest] = list(value);
  if (!first) throw new Error('AUTH_PUBLIC_CLIENTS must name at least one client');
  return [first, ...rest];
}

function lockoutSettings(variables: AuthVariables): AuthSettings['lockout'] {
  const lockoutMs = variables.AUTH_LOCKOUT_SECONDS * 1000;
  const maxLockoutMs = Math.max(lockoutMs, variables.AUTH_LOCKOUT_MAX_SECONDS * 1000);
  return {
    threshold: variables.AUTH_LOCKOUT_THRESHOLD,
    lockoutMs,
    maxLockoutMs,
    windowMs: Math.max(maxLockoutMs, variables.AUTH_LOCKOUT_WINDOW_SECONDS * 1000),
  };
}

export function authSettings(config: PlatformConfig, variables: AuthVariables): AuthSettings {
  return {
    issuer: config.AUTH_ISSUER_URL,
    audience: config.OIDC_AUDIENCE,
    accessTokenTtlSeconds: config.AUTH_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: variables.AUTH_REFRESH_TOKEN_TTL_SECONDS,
    refreshReuseGraceSeconds: variables.AUTH_REFRESH_REUSE_GRACE_SECONDS,
    keyRotationSeconds: variables.AUTH_KEY_ROTATION_SECONDS,
    // Longer than jose's 30 s refetch cooldown, shorter than any sensible rotation period.
    keyPrepublishSeconds: Math.min(300, Math.floor(variables.AUTH_KEY_ROTATION_SECONDS / 4)),
    clockSkewSeconds: 60,
    signingAlg: variables.AUTH_SIGNING_ALG,
    keyEncryptionSecret: variables.AUTH_KEY_ENCRYPTION_SECRET,
    lockout: lockoutSettings(variables),
    trustedProxies: list(variables.AUTH_TRUSTED_PROXIES),
    publicClients: publicClients(variables.AUTH_PUBLIC_CLIENTS),
    argon2: {
      memoryCost: variables.AUTH_ARGON2_MEMORY_KIB,
      timeCost: variables.AUTH_ARGON2_ITERATIONS,
      parallelism: variables.AUTH_ARGON2_PARALLELISM,
    },
    seedPasswords: { admin: variables.SEED_ADMIN_PASSWORD, arbiter: variables.SEED_ARBITER_PASSWORD },
  };
}
