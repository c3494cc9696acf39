import { type Algorithm, hash, verify } from '@node-rs/argon2';
import type { AuthSettings } from '../settings.ts';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
  /** Spends the same work as a real check, so an unknown login answers as slowly as a known one. */
  burn(password: string): Promise<void>;
}

// `Algorithm` is a const enum, which type stripping cannot inline: Argon2id is its member 2.
const Argon2id = 2 as Algorithm;

/** argon2id with the configured cost; the parameters travel inside each PHC string, so raising them later is safe. */
export async function createPasswordHasher(settings: AuthSettings): Promise<PasswordHasher> {
  const options = { algorithm: Argon2id, ...settings.argon2 };
  const decoy = await hash('decoy password for unknown logins', options);
  return {
    hash: (password) => hash(password, options),
    verify: async (hashed, password) => {
      try {
        return await verify(hashed, password);
      } catch {
        return false;
      }
    },
    burn: async (password) => {
      await verify(decoy, password).catch(() => false);
    },
  };
}
