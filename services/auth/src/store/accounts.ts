import { AppError } from '@necp/platform';
import { type Kysely, sql } from 'kysely';
import type { AccountRole } from '../domain/accounts.ts';
import type { AuthDatabase } from './tables.ts';

type Db = Kysely<AuthDatabase>;

export interface Account {
  id: string;
  email: string;
  username: string;
  passwordHash: string;
  roles: string[];
  status: 'active' | 'banned';
  banReason: string | null;
  bannedUntil: Date | null;
  createdAt: Date;
}

const columns = [
  'id',
  'email',
  'username',
  'password_hash',
  'roles',
  'status',
  'ban_reason',
  'banned_until',
  'created_at',
] as const;

type Row = {
  id: string;
  email: string;
  username: string;
  password_hash: string;
  roles: string[];
  status: 'active' | 'banned';
  ban_reason: string | null;
  banned_until: Date | string | null;
  created_at: Date;
};

function toAccount(row: Row): Account {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    passwordHash: row.password_hash,
    roles: row.roles,
    status: row.status,
    banReason: row.ban_reason,
    bannedUntil: row.banned_until === null ? null : new Date(row.banned_until),
    createdAt: new Date(row.created_at),
  };
}

/** `login` is a username or an email, compared without case. */
export async function findAccountByLogin(db: Db, login: string): Promise<Account | undefined> {
  const lowered = login.trim().toLowerCase();
  const row = await db
    .selectFrom('auth.accounts')
    .select(columns)
    .where((eb) => eb.or([eb(sql`lower(username)`, '=', lowered), eb(sql`lower(email)`, '=', lowered)]))
    .executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function findAccount(db: Db, id: string, options: { forUpdate?: boolean } = {}) {
  let query = db.selectFrom('auth.accounts').select(columns).where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

function uniqueViolation(error: unknown): string | undefined {
  const failure = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (failure.code !== '23505') return undefined;
  return `${String(failure.constraint ?? '')} ${String(failure.message ?? '')}`;
}

/** Inserts the account; a clash on email or username (whatever the race) is the API's 409. */
export async function insertAccount(
  db: Db,
  account: { id: string; email: string; username: string; passwordHash: string; roles: AccountRole[] },
): Promise<Account> {
  try {
    const row = await db
      .insertInto('auth.accounts')
      .values({
        id: account.id,
        email: account.email,
        username: account.username,
        password_hash: account.passwordHash,
        roles: account.roles,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    return toAccount(row);
  } catch (error) {
    const clash = uniqueViolation(error);
    if (clash?.includes('accounts_email_key')) throw new AppError('EMAIL_TAKEN', 'This email is already registered');
    if (clash?.includes('accounts_username_key')) throw new AppError('USERNAME_TAKEN', 'This username is taken');
    throw error;
  }
}

/** Which of the two is taken already, checked before hashing so a clash costs no argon2 round. */
export async function takenField(db: Db, email: string, username: string): Promise<'email' | 'username' | undefined> {
  const rows = await db
    .selectFrom('auth.accounts')
    .select(['email', 'username'])
    .where((eb) =>
      eb.or([eb(sql`lower(email)`, '=', email.toLowerCase()), eb(sql`lower(username)`, '=', username.toLowerCase())]),
    )
    .execute();
  if (rows.some((row) => row.email.toLowerCase() === email.toLowerCase())) return 'email';
  if (rows.length > 0) return 'username';
  return undefined;
}

export async function updatePasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('auth.accounts')
    .set({ password_hash: passwordHash, password_changed_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function updateRoles(db: Db, id: string, roles: AccountRole[]): Promise<void> {
  await db.updateTable('auth.accounts').set({ roles }).where('id', '=', id).execute();
}

export async function setBan(db: Db, id: string, ban: { reason: string; until: Date | null } | null): Promise<void> {
  await db
    .updateTable('auth.accounts')
    .set(
      ban
        ? { status: 'banned', ban_reason: ban.reason, banned_until: ban.until }
        : { status: 'active', ban_reason: null, banned_until: null },
    )
    .where('id', '=', id)
    .execute();
}
