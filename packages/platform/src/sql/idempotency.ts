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

/** A key as `mvp_meta.claim_idempotency_key` takes it: checked, with the request's hash and expiry. */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  requestHash: string;
  expiresAt: Date;
}

export function idempotencyClaim(idempotency: IdempotencyRequest): IdempotencyClaim {
  validateIdempotencyKey(idempotency.key);
  return {
    scope: idempotency.scope,
    key: idempotency.key,
    requestHash: requestHash(idempotency.request),
    expiresAt: new Date(Date.now() + (idempotency.ttlMs ?? DAY_MS)),
  };
}

/** What a live key already holds: the stored answer, or 422 when it was used with another body. */
export function replayOf(
  claim: IdempotencyClaim,
  stored: { request_hash: string; status: number | null; body: unknown },
): IdempotentResult {
  if (stored.request_hash !== claim.requestHash) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');
  }
  return { status: stored.status ?? 200, body: stored.body, replayed: true };
}

/**
 * The answer already stored under a live key, or undefined when the key is new (or its request is
 * still running). For a request whose work first asks another service: its replay needs no answer
 * from that service. Reading it first changes nothing: `withIdempotency` still claims the key.
 */
export async function storedIdempotentAnswer(
  db: SqlDatabase,
  idempotency: IdempotencyRequest,
): Promise<IdempotentResult | undefined> {
  const claim = idempotencyClaim(idempotency);
  const stored = await db.kysely
    .selectFrom('mvp_meta.idempotency_keys')
    .select(['request_hash', 'status', 'body'])
    .where('scope', '=', claim.scope)
    .where('key', '=', claim.key)
    .where('status', 'is not', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return stored ? replayOf(claim, stored) : undefined;
}

interface ClaimRow {
  claimed: boolean;
  request_hash: string;
  status: number | null;
  body: unknown;
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
  const claim = idempotencyClaim(idempotency);
  const kysely = db.typed<Tables>() as unknown as Kysely<Tables & PlatformTables>;
  return kysely.transaction().execute(async (trx) => {
    const { rows } = await sql<ClaimRow>`
      SELECT * FROM mvp_meta.claim_idempotency_key(${claim.scope}, ${claim.key}, ${claim.requestHash}, ${claim.expiresAt})`.execute(
      trx,
    );
    const stored = rows[0];
    if (!stored) throw new Error('mvp_meta.claim_idempotency_key returned no row');
    if (!stored.claimed) return replayOf(claim, stored);
    const response = await work(trx);
    await sql`SELECT mvp_meta.store_idempotent_response(${claim.scope}, ${claim.key}, ${response.status}, ${JSON.stringify(response.body ?? null)}::jsonb)`.execute(
      trx,
    );
    return { ...response, replayed: false };
  });
}
