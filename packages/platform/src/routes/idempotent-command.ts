import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { SqlDatabase } from '../sql/database.ts';
import {
  type IdempotencyRequest,
  type IdempotentResult,
  type StoredResponse,
  withIdempotency,
} from '../sql/idempotency.ts';
import type { PlatformTables } from '../sql/platform-tables.ts';
import { retryTransaction } from '../sql/retry.ts';

/**
 * The request's Idempotency-Key, scoped to the service, the caller and the route; undefined without
 * the header. A repeat must name the same path parameters as well as carry the same body: the same
 * key sent for another order is another request (422), not a repeat answered with the first's result.
 */
export function idempotencyOf(
  request: FastifyRequest,
  service: string,
  accountId: string,
): IdempotencyRequest | undefined {
  const header = request.headers['idempotency-key'];
  if (typeof header !== 'string') return undefined;
  return {
    scope: `${service}:${accountId}:${request.method} ${request.routeOptions.url}`,
    key: header,
    request: { params: request.params, body: request.body },
  };
}

/**
 * Runs a command in one transaction: with an Idempotency-Key the key's claim, the change and the
 * stored answer commit together (a repeat gets the first answer and changes nothing); a deadlock or
 * serialization victim runs again from the start.
 */
export function runIdempotentCommand<Tables>(
  db: SqlDatabase,
  idempotency: IdempotencyRequest | undefined,
  work: (trx: Transaction<Tables & PlatformTables>) => Promise<StoredResponse>,
): Promise<IdempotentResult> {
  return retryTransaction(async () => {
    if (idempotency !== undefined) return withIdempotency<Tables>(db, idempotency, work);
    const kysely = db.typed<Tables>();
    const response = await kysely.transaction().execute(work);
    return { ...response, replayed: false };
  });
}

/**
 * `runIdempotentCommand` for work that is one statement, or guards itself statement by statement:
 * with an Idempotency-Key in one transaction with the key's claim; without one straight on the
 * database (no BEGIN or COMMIT of its own, a round trip each saved), run again as a transaction would
 * be when PostgreSQL refused it a race.
 */
export function runStatementCommand<Tables>(
  db: SqlDatabase,
  idempotency: IdempotencyRequest | undefined,
  work: (db: Kysely<Tables & PlatformTables>) => Promise<StoredResponse>,
): Promise<IdempotentResult> {
  if (idempotency !== undefined) return runIdempotentCommand<Tables>(db, idempotency, work);
  return retryTransaction(async () => ({ ...(await work(db.typed<Tables>())), replayed: false }));
}

/** Sends a command's result; a replayed answer says so in `Idempotent-Replayed`. */
export function sendResult(reply: FastifyReply, result: IdempotentResult): FastifyReply {
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(result.status).send(result.body);
}
