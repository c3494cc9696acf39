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
  /** How long a signing key signs before the next one takes over. */
  AUTH_KEY_ROTATION_SECONDS: Type.Integer({ minimum: 60, default: 604_800 }),
  AUTH_SIGNING_ALG: Type.Union(
    SigningAlgs.map((alg) => Type.Literal(alg)),
    { default: 'RS256' },
  ),
  /** Encrypts signing keys at rest; embedded mode generates one into DATA_DIR when absent. */
  AUTH_KEY_ENCRYPTION_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  AUTH_LOCKOUT_THRESHOLD: Type.Integer({ minimum: 1, default: 5 }),
  AUTH_LOCKOUT_SECONDS: Type.Integer({ minimum: 1, default: 900 }),
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
  keyRotationSeconds: number;
  /** A new key is published this long before it signs, so verifiers have it before they see it. */
  keyPrepublishSeconds: number;
  /** Clock skew allowed to verifiers, added to how long a retired key stays published. */
  clockSkewSeconds: number;
  signingAlg: SigningAlg;
  /** AUTH_KEY_ENCRYPTION_SECRET; when absent, `keyEncryptionSecret` finds or makes one. */
  keyEncryptionSecret: string | undefined;
  lockoutThreshold: number;
  lockoutSeconds: number;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** Passwords of the seeded `admin` and `arbiter` accounts. */
  seedPasswords: { admin: string | undefined; arbiter: string | undefined };
}

export function authSettings(config: PlatformConfig, variables: AuthVariables): AuthSettings {
  return {
    issuer: config.AUTH_ISSUER_URL,
    audience: config.OIDC_AUDIENCE,
    accessTokenTtlSeconds: config.AUTH_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: variables.AUTH_REFRESH_TOKEN_TTL_SECONDS,
    keyRotationSeconds: variables.AUTH_KEY_ROTATION_SECONDS,
    // Longer than jose's 30 s refetch cooldown, shorter than any sensible rotation period.
    keyPrepublishSeconds: Math.min(300, Math.floor(variables.AUTH_KEY_ROTATION_SECONDS / 4)),
    clockSkewSeconds: 60,
    signingAlg: variables.AUTH_SIGNING_ALG,
    keyEncryptionSecret: variables.AUTH_KEY_ENCRYPTION_SECRET,
    lockoutThreshold: variables.AUTH_LOCKOUT_THRESHOLD,
    lockoutSeconds: variables.AUTH_LOCKOUT_SECONDS,
    argon2: {
      memoryCost: variables.AUTH_ARGON2_MEMORY_KIB,
      timeCost: variables.AUTH_ARGON2_ITERATIONS,
      parallelism: variables.AUTH_ARGON2_PARALLELISM,
    },
    seedPasswords: { admin: variables.SEED_ADMIN_PASSWORD, arbiter: variables.SEED_ARBITER_PASSWORD },
  };
}
