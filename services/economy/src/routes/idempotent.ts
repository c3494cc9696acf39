import { type IdempotentResult, type SqlDatabase, type StoredResponse, withIdempotency } from '@necp/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Trx } from '../store/ledger-store.ts';
import { retryTransaction } from '../store/retry.ts';
import type { EconomyTables } from '../store/tables.ts';

/**
 * Runs a value-moving request in one transaction: with an Idempotency-Key the key, the movement
 * and the stored answer commit together (a repeat gets the first answer); without one it simply runs.
 */
export async function runOnce(
  db: SqlDatabase,
  request: FastifyRequest,
  accountId: string,
  work: (trx: Trx) => Promise<StoredResponse>,
): Promise<IdempotentResult> {
  const header = request.headers['idempotency-key'];
  const key = typeof header === 'string' ? header : undefined;
  return retryTransaction(async () => {
    if (key === undefined) {
      const response = await db.typed<EconomyTables>().transaction().execute(work);
      return { ...response, replayed: false };
    }
    return withIdempotency<EconomyTables>(
      db,
      { scope: `economy:${accountId}:${request.method} ${request.routeOptions.url}`, key, request: request.body },
      work,
    );
  });
}

export function send(reply: FastifyReply, result: IdempotentResult): FastifyReply {
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(result.status).send(result.body);
}
