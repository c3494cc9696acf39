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
import {
  type PartyChecks,
  PartyNotKnownYet,
  type PostedIdentity,
  type PostedTransfer,
  underKey,
} from '../store/ledger-post.ts';
import type { Trx } from '../store/ledger-store.ts';
import { retryTransaction } from '../store/retry.ts';
import type { EconomyTables } from '../store/tables.ts';
import type { TransferPoster } from '../store/transfer-batcher.ts';

/**
 * The request's Idempotency-Key, scoped to the caller and the route; undefined without the header.
 * A repeat must name the same path parameters as well as carry the same body: the same key sent to
 * release another order is another request (422), not a repeat answered with the first order's result.
 */
function idempotencyOf(request: FastifyRequest, accountId: string): IdempotencyRequest | undefined {
  const header = request.headers['idempotency-key'];
  if (typeof header !== 'string') return undefined;
  return {
    scope: `economy:${accountId}:${request.method} ${request.routeOptions.url}`,
    key: header,
    request: { params: request.params, body: request.body },
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

export interface TransferRequest {
  transfer: PostedTransfer;
  answer: (posted: PostedIdentity) => StoredResponse;
}

/**
 * The same guarantee for a single posted transfer, posted in a batch (see store/transfer-batcher.ts):
 * the Idempotency-Key becomes the transfer's client ref, so a repeat finds the transfer itself.
 */
async function postOnce(
  poster: TransferPoster,
  request: FastifyRequest,
  accountId: string,
  posting: TransferRequest & { parties?: PartyChecks },
): Promise<IdempotentResult> {
  const idempotency = idempotencyOf(request, accountId);
  return poster.post(underKey(posting, idempotency === undefined ? undefined : idempotencyClaim(idempotency)));
}

/**
 * `postOnce` with the transfer's characters checked by the ledger in the statement that posts it
 * (no round trip before it). When economy's projection has not seen one of them yet,
 * `checkSlowly` checks them through the cache and character-service (404, 403 or 503 as it finds)
 * and the transfer is posted again: the first attempt wrote nothing and gave its key back.
 */
export async function postOnceChecked(
  poster: TransferPoster,
  request: FastifyRequest,
  accountId: string,
  posting: TransferRequest,
  parties: PartyChecks,
  checkSlowly: () => Promise<unknown>,
): Promise<IdempotentResult> {
  try {
    return await postOnce(poster, request, accountId, { ...posting, parties });
  } catch (error) {
    if (!(error instanceof PartyNotKnownYet)) throw error;
  }
  await checkSlowly();
  return postOnce(poster, request, accountId, posting);
}

export function send(reply: FastifyReply, result: IdempotentResult): FastifyReply {
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(result.status).send(result.body);
}
