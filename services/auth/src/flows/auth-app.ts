import type { Authenticator, Cache, DenyList } from '@necp/platform';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuthSettings } from '../settings.ts';
import type { AuthDatabase } from '../store/tables.ts';
import type { KeyRing } from './key-ring.ts';
import type { PasswordHasher } from './passwords.ts';

/** Everything the flows work with, built once at start (service.ts). */
export interface AuthApp {
  db: Kysely<AuthDatabase>;
  settings: AuthSettings;
  keys: KeyRing;
  passwords: PasswordHasher;
  cache: Cache;
  denyList: DenyList;
  /** Derives a refresh token's successor (`successorOf`), so a retry gets the same one. */
  refreshSuccessorKey: Buffer;
  /** Verifies this issuer's own tokens against its key ring (no network hop). */
  authenticator: Authenticator;
  /** client id → secret of the service clients (client-credentials grant). */
  clients: ReadonlyMap<string, string>;
  logger: Logger;
}
