import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { KeyWindow } from '../domain/keys.ts';
import type { AuthDatabase } from './tables.ts';

export interface StoredKey extends KeyWindow {
  alg: string;
  publicJwk: Record<string, unknown>;
  sealedPrivateJwk: string;
}

/** Rotation in several replicas at once must create one successor, not one each. */
const KEY_ROTATION_LOCK = 7_307_101;

type Db = Kysely<AuthDatabase>;

export async function listKeys(db: Db): Promise<StoredKey[]> {
  const rows = await db.selectFrom('auth.signing_keys').selectAll().orderBy('not_before').execute();
  return rows.map((row) => ({
    kid: row.kid,
    alg: row.alg,
    publicJwk: typeof row.public_jwk === 'string' ? JSON.parse(row.public_jwk) : row.public_jwk,
    sealedPrivateJwk: row.private_jwk_encrypted,
    notBefore: new Date(row.not_before),
    notAfter: new Date(row.not_after),
    publishUntil: new Date(row.publish_until),
  }));
}

/** Runs `work` in a transaction that holds the rotation lock, with the keys as they are under it. */
export async function withKeyRotationLock<T>(db: Db, work: (trx: Db, keys: StoredKey[]) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${KEY_ROTATION_LOCK})`.execute(trx);
    return work(trx, await listKeys(trx));
  });
}

export async function insertKey(db: Db, key: StoredKey): Promise<void> {
  await db
    .insertInto('auth.signing_keys')
    .values({
      kid: key.kid,
      alg: key.alg,
      public_jwk: JSON.stringify(key.publicJwk),
      private_jwk_encrypted: key.sealedPrivateJwk,
      not_before: key.notBefore,
      not_after: key.notAfter,
      publish_until: key.publishUntil,
    })
    .execute();
}

export async function deleteKeys(db: Db, kids: string[]): Promise<void> {
  if (kids.length > 0) await db.deleteFrom('auth.signing_keys').where('kid', 'in', kids).execute();
}
