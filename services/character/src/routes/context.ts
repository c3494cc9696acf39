import type { Authenticator, Cache, SqlDatabase } from '@necp/platform';
import type { FastifyReply } from 'fastify';
import type { Outcome } from '../store/transaction.ts';

/** What the route modules are built from. */
export interface RouteDeps {
  db: SqlDatabase;
  auth: Authenticator;
  cache: Cache;
}

export const Prefix = '/api/v1/characters';
export const InternalPrefix = '/internal/v1/characters';

/** Sends a command's outcome; a replayed idempotent answer says so. */
export function sendOutcome(reply: FastifyReply, outcome: Outcome) {
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(outcome.status).send(outcome.body);
}
