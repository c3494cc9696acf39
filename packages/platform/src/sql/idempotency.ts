import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { AppError } from '../problem.ts';
import type { SqlDatabase } from './database.ts';
import type { PlatformTables } from './platform-tables.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotentResult extends StoredResponse {
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

export interface IdempotencyRequest {
  /** Who and what the key belongs to, e.g. `economy:<accountId>:POST /api/v1/economy/transfers`. */
  scope: string;
  key: string;
  /** The request's body: a repeat must carry the same one. */
  request: unknown;
  ttlMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Canonical JSON: object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonical(request)).digest('hex');
}

export function validateIdempotencyKey(key: string): void {
  if (key.length < 1 || key.length > 128) {
    throw new AppError('VALIDATION_ERROR', 'Idempotency-Key must be 1 to 128 characters', {
      errors: [{ path: 'headers/idempotency-key', message: 'must be 1 to 128 characters' }],
    });
  }
}

/**
 * Runs `work` once per (scope, key): the key is claimed, the change made and its response stored
 * in one transaction. A concurrent request with the same key waits on the claim and then gets the
 * stored response; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED. A failed `work`
 * rolls back the claim too, so a retry runs again.
 */
export async function withIdempotency<Tables>(
  db: SqlDatabase,
  idempotency: IdempotencyRequest,
  work: (trx: Transaction<Tables & PlatformTables>) => Promise<StoredResponse>,
): Promise<IdempotentResult> {
  validateIdempotencyKey(idempotency.key);
  const hash = requestHash(idempotency.request);
  const ttlMs = idempotency.ttlMs ?? DAY_MS;
  const kysely = db.typed<Tables>() as unknown as Kysely<Tables & PlatformTables>;
  return kysely.transaction().execute(async (trx) => {
    const meta = trx as unknown as Transaction<PlatformTables>;
    // One statement claims a new key or takes over an expired one; a live key returns no row.
    const claimed = await meta
      .insertInto('mvp_meta.idempotency_keys')
      .values({
        scope: idempotency.scope,
        key: idempotency.key,
        request_hash: hash,
        status: null,
        body: null,
        expires_at: new Date(Date.now() + ttlMs),
      })
      .onConflict((conflict) =>
        conflict
          .columns(['scope', 'key'])
          .doUpdateSet((eb) => ({
            request_hash: eb.ref('excluded.request_hash'),
            status: null,
            body: null,
            created_at: sql<Date>`now()`,
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where('mvp_meta.idempotency_keys.expires_at', '<', sql<Date>`now()`),
      )
      .returning('key')
      .executeTakeFirst();
    if (!claimed) {
      const stored = await meta
        .selectFrom('mvp_meta.idempotency_keys')
        .select(['request_hash', 'status', 'body'])
        .where('scope', '=', idempotency.scope)
        .where('key', '=', idempotency.key)
        .executeTakeFirstOrThrow();
      if (stored.request_hash !== hash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');
      }
      return { status: stored.status ?? 200, body: stored.body, replayed: true };
    }
    const response = await work(trx);
    await meta
      .updateTable('mvp_meta.idempotency_keys')
      .set({ status: response.status, body: JSON.stringify(response.body ?? null) })
      .where('scope', '=', idempotency.scope)
      .where('key', '=', idempotency.key)
      .execute();
    return { ...response, replayed: false };
  });
}
