import { type NewEvent, writeEvent } from '@necp/platform';
import type { Kysely } from 'kysely';
import type { AuthDatabase } from './store/tables.ts';

/** What auth-service publishes (API.md §9); it consumes nothing. */
export const PublishedTopics = ['auth.account.created', 'auth.account.banned', 'auth.session.revoked'] as const;
export type AuthTopic = (typeof PublishedTopics)[number];

export const Producer = 'auth';

/** Writes the event in `trx`, the transaction making the change it announces. */
export async function publish<T extends AuthTopic>(trx: Kysely<AuthDatabase>, event: NewEvent<T>): Promise<void> {
  await writeEvent<T, AuthDatabase>(trx, Producer, event);
}
