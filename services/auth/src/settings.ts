import type { PlatformConfig } from '@necp/platform';

/** auth-service's numbers, read once from configuration so no rule carries a literal. */
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
  signingAlg: 'RS256' | 'ES256';
  lockoutThreshold: number;
  lockoutSeconds: number;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
}

export function authSettings(config: PlatformConfig): AuthSettings {
  return {
    issuer: config.AUTH_ISSUER_URL,
    audience: config.OIDC_AUDIENCE,
    accessTokenTtlSeconds: config.AUTH_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: config.AUTH_REFRESH_TOKEN_TTL_SECONDS,
    keyRotationSeconds: config.AUTH_KEY_ROTATION_SECONDS,
    // Longer than jose's 30 s refetch cooldown, shorter than any sensible rotation period.
    keyPrepublishSeconds: Math.min(300, Math.floor(config.AUTH_KEY_ROTATION_SECONDS / 4)),
    clockSkewSeconds: 60,
    signingAlg: config.AUTH_SIGNING_ALG,
    lockoutThreshold: config.AUTH_LOCKOUT_THRESHOLD,
    lockoutSeconds: config.AUTH_LOCKOUT_SECONDS,
    argon2: {
      memoryCost: config.AUTH_ARGON2_MEMORY_KIB,
      timeCost: config.AUTH_ARGON2_ITERATIONS,
      parallelism: config.AUTH_ARGON2_PARALLELISM,
    },
  };
}
export const AllowedSigningAlgs = ['RS256', 'ES256'];
