import type { PlatformTables } from '@necp/platform';
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface AccountsTable {
  id: string;
  email: string;
  username: string;
  password_hash: string;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  status: Generated<'active' | 'banned'>;
  ban_reason: string | null;
  banned_until: Timestamp | null;
  password_changed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface SessionsTable {
  id: string;
  account_id: string;
  client_id: string;
  user_agent: string | null;
  ip: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  last_used_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: ColumnType<Record<string, unknown>, string, string>;
  private_jwk_encrypted: string;
  not_before: Timestamp;
  not_after: Timestamp;
  publish_until: Timestamp;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface AuthTables {
  'auth.accounts': AccountsTable;
  'auth.sessions': SessionsTable;
  'auth.refresh_tokens': RefreshTokensTable;
  'auth.signing_keys': SigningKeysTable;
}

/** auth's tables plus the platform's (outbox), so events are written in the same transaction. */
export type AuthDatabase = AuthTables & PlatformTables;
