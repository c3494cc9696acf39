import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformConfig } from '@necp/platform';
import type { Logger } from 'pino';

/** Seals signing keys at rest (AES-256-GCM); the key id is authenticated data, so rows cannot be swapped. */
export interface KeySealer {
  seal(plaintext: string, kid: string): string;
  open(sealed: string, kid: string): string;
}

export function keySealer(secret: string): KeySealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'necp-auth', 'signing-keys-at-rest', 32));
  return {
    seal(plaintext, kid) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(kid));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join('.');
    },
    open(sealed, kid) {
      const [iv, tag, ciphertext] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
      if (!iv || !tag || !ciphertext) throw new Error(`signing key ${kid} is not in the sealed format`);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(kid));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new Error(
          `signing key ${kid} cannot be decrypted: AUTH_KEY_ENCRYPTION_SECRET differs from the one that sealed it`,
        );
      }
    },
  };
}

let processSecret: string | undefined;

/**
 * AUTH_KEY_ENCRYPTION_SECRET, or a secret generated once into DATA_DIR (kept in memory when DATA_DIR
 * is `memory://`) and announced, because whoever holds that file can read the signing keys and
 * replicas on other machines would not share it.
 */
export function keyEncryptionSecret(configured: string | undefined, config: PlatformConfig, logger: Logger): string {
  if (configured) return configured;
  const warn = config.DATABASE_URL ? logger.error.bind(logger) : logger.warn.bind(logger);
  if (config.DATA_DIR.startsWith('memory://')) {
    processSecret ??= randomBytes(32).toString('base64url');
    warn('AUTH_KEY_ENCRYPTION_SECRET is not set: signing keys are sealed with a secret held in memory only');
    return processSecret;
  }
  const file = join(config.DATA_DIR, 'auth-key-encryption.secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    mkdirSync(config.DATA_DIR, { recursive: true });
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    warn(
      { file },
      'AUTH_KEY_ENCRYPTION_SECRET is not set: generated one into DATA_DIR to seal the signing keys; set the variable (the same on every replica) in production',
    );
    return secret;
  }
}
