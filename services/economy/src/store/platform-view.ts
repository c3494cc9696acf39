import type { PlatformTables } from '@necp/platform';
import type { Kysely } from 'kysely';
import type { Trx } from './ledger-store.ts';

/** The same transaction seen with the platform's tables only (outbox writes), so both commit together. */
export function platformView(trx: Trx): Kysely<PlatformTables> {
  return trx as unknown as Kysely<PlatformTables>;
}
