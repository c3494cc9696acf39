import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformConfig, ServiceName } from '../config.ts';

/** `<SERVICE>_CLIENT_SECRET`: a service's client-credentials secret at the issuer. */
export function serviceClientSecretVariable(service: ServiceName): string {
  return `${service.toUpperCase()}_CLIENT_SECRET`;
}

/** The OAuth2 client id a service authenticates as. */
export function serviceClientId(service: ServiceName): string {
  return `${service}-service`;
}

const inMemorySecrets = new Map<string, string>();

function embeddedSecret(dataDir: string, service: ServiceName): string {
  if (dataDir.startsWith('memory://')) {
    let secret = inMemorySecrets.get(service);
    if (!secret) {
      secret = randomBytes(32).toString('base64url');
      inMemorySecrets.set(service, secret);
    }
    return secret;
  }
  const file = join(dataDir, 'service-client-secrets.json');
  let secrets: Record<string, string> = {};
  try {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    // First start: the file is created below.
  }
  const existing = secrets[service];
  if (existing) return existing;
  secrets[service] = randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets[service];
}

/**
 * The secret from configuration; in embedded mode (no DATABASE_URL), when none is configured, one
 * generated into DATA_DIR, which auth-service and the calling service share there. Distributed mode
 * without the variable has no secret: that service simply cannot call others with its own token.
 */
export function serviceClientSecret(config: PlatformConfig, service: ServiceName): string | undefined {
  const configured = (config as Record<string, unknown>)[serviceClientSecretVariable(service)];
  if (typeof configured === 'string') return configured;
  return config.DATABASE_URL ? undefined : embeddedSecret(config.DATA_DIR, service);
}
