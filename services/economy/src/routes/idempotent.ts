import {
  type IdempotencyRequest,
  type IdempotentResult,
  idempotencyClaim,
  type SqlDatabase,
  type StoredResponse,
  storedIdempotentAnswer,
  withIdempotency,
} from '@necp/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PostedTransfer } from '../store/ledger-post.ts';
import type { Trx } from '../store/ledger-store.ts';
import { retryTransaction } from '../store/retry.ts';
import type { EconomyTables } from '../store/tables.ts';
import type { TransferPoster } from '../store/transfer-batcher.ts';

/** The request's Idempotency-Key, scoped to the caller and the route; undefined without the header. */
function idempotencyOf(request: FastifyRequest, accountId: string): IdempotencyRequest | undefined {
  const header = request.headers['idempotency-key'];
  if (typeof header !== 'string') return undefined;
  return {
    scope: `economy:${accountId}:${request.method} ${request.routeOptions.url}`,
    key: header,
    request: request.body,
  };
}

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
  const idempotency = idempotencyOf(request, accountId);
  return retryTransaction(async () => {
    if (idempotency === undefined) {
      const response = await db.typed<EconomyTables>().transaction().execute(work);
      return { ...response, replayed: false };
    }
    return withIdempotency<EconomyTables>(db, idempotency, work);
  });
}

/** The stored answer to this request's Idempotency-Key, when it already has one. */
export async function answeredBefore(
  db: SqlDatabase,
  request: FastifyRequest,
  accountId: string,
): Promise<IdempotentResult | undefined> {
  const idempotency = idempotencyOf(request, accountId);
  return idempotency === undefined ? undefined : storedIdempotentAnswer(db, idempotency);
}

/** The same guarantee for a single posted transfer, posted in a batch (see store/transfer-batcher.ts). */
export async function postOnce(
  poster: TransferPoster,
  request: FastifyRequest,
  accountId: string,
  posting: { transfer: PostedTransfer; response: StoredResponse },
): Promise<IdempotentResult> {
  const idempotency = idempotencyOf(request, accountId);
  return poster.post({ ...posting, claim: idempotency === undefined ? undefined : idempotencyClaim(idempotency) });
}

export function send(reply: FastifyReply, result: IdempotentResult): FastifyReply {
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(result.status).send(result.body);
}
