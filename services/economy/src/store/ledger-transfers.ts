import { type OutboxRow, outboxValues } from '@necp/platform';
import type { Insertable, Selectable } from 'kysely';
import type { PendingTransfer } from '../domain/ledger.ts';
import { ownerKey, type TransferKind, type TransferRecord } from '../domain/movements.ts';
import type { LedgerEntry } from '../domain/wallets.ts';
import type { EconomyDb, LedgerTransferTable, Trx } from './tables.ts';

export type NewTransferRow = Insertable<LedgerTransferTable>;

function toRecord(row: Selectable<LedgerTransferTable>): TransferRecord {
  return {
    seq: Number(row.seq),
    id: row.id,
    clientRef: row.client_ref,
    kind: row.kind,
    debitAccountId: Number(row.debit_account_id),
    creditAccountId: Number(row.credit_account_id),
    asset: row.asset,
    amount: Number(row.amount),
    pendingId: row.pending_id,
    released: Number(row.released),
    reason: row.reason,
    memo: row.memo,
    actorId: row.actor_id,
    createdAt: new Date(row.created_at),
  };
}

/** The transfers of `ids`, each with its kind (a post or void must name a pending one). */
export async function transfersToResolve(
  trx: Trx,
  ids: string[],
): Promise<(PendingTransfer & { kind: TransferKind })[]> {
  const rows = await trx
    .selectFrom('mvp_core.ledger_transfers')
    .select(['id', 'debit_account_id', 'credit_account_id', 'asset', 'amount', 'kind'])
    .where('id', 'in', ids)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    debitAccountId: Number(row.debit_account_id),
    creditAccountId: Number(row.credit_account_id),
    asset: row.asset,
    amount: Number(row.amount),
  }));
}

export async function transfersByClientRef(trx: Trx, clientRefs: string[]): Promise<TransferRecord[]> {
  const rows = await trx
    .selectFrom('mvp_core.ledger_transfers')
    .selectAll()
    .where('client_ref', 'in', clientRefs)
    .execute();
  return rows.map(toRecord);
}

/** Those of `pendingIds` a post or void already resolved. */
export async function resolvedPendingIds(trx: Trx, pendingIds: string[]): Promise<string[]> {
  const rows = await trx
    .selectFrom('mvp_core.ledger_transfers')
    .select('pending_id')
    .where('pending_id', 'in', pendingIds)
    .execute();
  return rows.flatMap((row) => (row.pending_id === null ? [] : [row.pending_id]));
}

/** The transfers and their events (one outbox row each), in one round trip. */
export async function insertTransfers(
  trx: Trx,
  rows: NewTransferRow[],
  events: OutboxRow<unknown>[],
): Promise<TransferRecord[]> {
  const inserted = await trx
    .with('events', (db) => db.insertInto('mvp_meta.outbox').values(events.map(outboxValues)).returning('id'))
    .insertInto('mvp_core.ledger_transfers')
    .values(rows)
    .returningAll()
    .execute();
  return inserted.map(toRecord);
}

/** The character's transfers, newest first, before the seq `beforeSeq` when given. */
export async function characterLedger(
  db: EconomyDb,
  characterId: string,
  limit: number,
  beforeSeq: number | undefined,
): Promise<{ entries: LedgerEntry[]; nextCursor: number | null }> {
  const accounts = await db
    .selectFrom('mvp_core.ledger_accounts')
    .select('id')
    .where('kind', '=', 'character')
    .where('owner_id', '=', ownerKey(characterId))
    .execute();
  const ids = accounts.map((row) => Number(row.id));
  if (ids.length === 0) return { entries: [], nextCursor: null };
  let query = db
    .selectFrom('mvp_core.ledger_transfers as t')
    .innerJoin('mvp_core.ledger_accounts as d', 'd.id', 't.debit_account_id')
    .innerJoin('mvp_core.ledger_accounts as c', 'c.id', 't.credit_account_id')
    .selectAll('t')
    .select([
      'd.kind as debit_kind',
      'd.owner_id as debit_owner',
      'c.kind as credit_kind',
      'c.owner_id as credit_owner',
    ])
    .where((eb) => eb.or([eb('t.debit_account_id', 'in', ids), eb('t.credit_account_id', 'in', ids)]))
    .orderBy('t.seq', 'desc')
    .limit(limit + 1);
  if (beforeSeq !== undefined) query = query.where('t.seq', '<', beforeSeq);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const idSet = new Set(ids);
  const entries = page.map((row): LedgerEntry => {
    const isDebit = idSet.has(Number(row.debit_account_id));
    return {
      transfer: toRecord(row),
      direction: isDebit ? 'debit' : 'credit',
      counterparty: isDebit
        ? { kind: row.credit_kind, ownerId: row.credit_owner }
        : { kind: row.debit_kind, ownerId: row.debit_owner },
    };
  });
  const last = page.at(-1);
  return { entries, nextCursor: rows.length > limit && last ? Number(last.seq) : null };
}
