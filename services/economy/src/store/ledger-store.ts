import { randomUUID } from 'node:crypto';
import { type NewEvent, type PlatformTables, writeEvent } from '@necp/platform';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Asset } from '../domain/catalogue.ts';
import {
  type AccountKind,
  type AccountRef,
  type AccountState,
  applyLegs,
  type Leg,
  type PendingTransfer,
} from '../domain/ledger.ts';
import { platformView } from './platform-view.ts';
import type { EconomyTables, LedgerTransferTable, TransferKind } from './tables.ts';

export type EconomyDb = Kysely<EconomyTables & PlatformTables>;
export type Trx = Transaction<EconomyTables & PlatformTables>;

export interface TransferRecord {
  seq: number;
  id: string;
  clientRef: string;
  kind: TransferKind;
  debitAccountId: number;
  creditAccountId: number;
  asset: string;
  amount: number;
  pendingId: string | null;
  released: number;
  reason: string;
  memo: string | null;
  actorId: string | null;
  createdAt: Date;
}

interface Common {
  /** Exactly-once id of this leg: a second movement carrying it finds the first and writes nothing. */
  clientRef: string;
  reason: string;
  memo?: string | undefined;
  actorId?: string | undefined;
}

export type MovementLeg =
  | (Common & { type: 'posted'; debit: AccountRef; credit: AccountRef; amount: number })
  | (Common & { type: 'pending'; debit: AccountRef; credit: AccountRef; amount: number })
  | (Common & { type: 'post'; pendingId: string; amount: number })
  | (Common & { type: 'void'; pendingId: string });

export interface MovementResult {
  transfers: TransferRecord[];
  /** True when every leg had already been applied by an earlier movement. */
  replayed: boolean;
}

/** A hold was already posted or voided by another movement. */
export class PendingResolvedError extends Error {
  override name = 'PendingResolvedError';
}

const refKey = (ref: { kind: string; ownerId: string; asset: string }) =>
  `${ref.kind}\u0000${ref.ownerId}\u0000${ref.asset}`;

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

interface AccountRow {
  id: number;
  kind: AccountKind;
  owner_id: string;
  asset: string;
  balance: number;
  held: number;
}

function toState(row: AccountRow): AccountState {
  return {
    id: Number(row.id),
    kind: row.kind,
    ownerId: row.owner_id,
    asset: row.asset,
    balance: Number(row.balance),
    held: Number(row.held),
  };
}

/** Locks the accounts named by refs or ids, in id order, so racing movements queue instead of deadlocking. */
async function lockAccounts(trx: Trx, refs: AccountRef[], ids: number[]): Promise<AccountRow[]> {
  if (refs.length === 0 && ids.length === 0) return [];
  const tuples = refs.map((ref) => sql`(${ref.kind}, ${ref.ownerId}, ${ref.asset})`);
  const byRef = tuples.length > 0 ? sql`(kind, owner_id, asset) IN (${sql.join(tuples)})` : sql`false`;
  const byId = ids.length > 0 ? sql`id IN (${sql.join(ids.map((id) => sql`${id}::bigint`))})` : sql`false`;
  const result = await sql<AccountRow>`
    SELECT id, kind, owner_id, asset, balance, held FROM mvp_core.ledger_accounts
    WHERE ${byRef} OR ${byId} ORDER BY id FOR UPDATE`.execute(trx);
  return result.rows;
}

/**
 * Finds or opens the accounts, locks them in id order, applies the legs with the ledger rules and
 * writes the transfer rows and the new balances, all inside the caller's transaction (which also
 * carries the movement's outbox event).
 */
export async function move(trx: Trx, legs: MovementLeg[]): Promise<MovementResult> {
  const pendingIds = legs.flatMap((leg) => (leg.type === 'post' || leg.type === 'void' ? [leg.pendingId] : []));
  const pendings = new Map<string, PendingTransfer>();
  if (pendingIds.length > 0) {
    const rows = await trx
      .selectFrom('mvp_core.ledger_transfers')
      .select(['id', 'debit_account_id', 'credit_account_id', 'asset', 'amount', 'kind'])
      .where('id', 'in', pendingIds)
      .execute();
    for (const row of rows) {
      if (row.kind !== 'pending') throw new Error(`transfer ${row.id} is not pending`);
      pendings.set(row.id, {
        id: row.id,
        debitAccountId: Number(row.debit_account_id),
        creditAccountId: Number(row.credit_account_id),
        asset: row.asset,
        amount: Number(row.amount),
      });
    }
  }

  const refs = new Map<string, AccountRef>();
  for (const leg of legs) {
    if (leg.type === 'posted' || leg.type === 'pending') {
      refs.set(refKey(leg.debit), leg.debit);
      refs.set(refKey(leg.credit), leg.credit);
    }
  }
  const pendingAccountIds = [...pendings.values()].flatMap((p) => [p.debitAccountId, p.creditAccountId]);
  let locked = await lockAccounts(trx, [...refs.values()], pendingAccountIds);
  const found = new Set(locked.map((row) => refKey({ kind: row.kind, ownerId: row.owner_id, asset: row.asset })));
  const missing = [...refs.values()]
    .filter((ref) => !found.has(refKey(ref)))
    .sort((a, b) => (refKey(a) < refKey(b) ? -1 : 1));
  if (missing.length > 0) {
    // Accounts open on first use; a racing opener of the same account makes ours a no-op.
    await trx
      .insertInto('mvp_core.ledger_accounts')
      .values(missing.map((ref) => ({ kind: ref.kind, owner_id: ref.ownerId, asset: ref.asset })))
      .onConflict((conflict) => conflict.columns(['kind', 'owner_id', 'asset']).doNothing())
      .execute();
    locked = [...locked, ...(await lockAccounts(trx, missing, []))];
  }

  const states = new Map(locked.map((row) => [Number(row.id), toState(row)]));
  const idOf = new Map(
    locked.map((row) => [refKey({ kind: row.kind, ownerId: row.owner_id, asset: row.asset }), Number(row.id)]),
  );
  const accountId = (ref: AccountRef): number => {
    const id = idOf.get(refKey(ref));
    if (id === undefined) throw new Error(`account ${refKey(ref)} could not be opened`);
    return id;
  };

  // Checked under the accounts' locks: a racing movement with the same refs has committed or not started.
  const existing = await trx
    .selectFrom('mvp_core.ledger_transfers')
    .selectAll()
    .where(
      'client_ref',
      'in',
      legs.map((leg) => leg.clientRef),
    )
    .execute();
  if (existing.length === legs.length) return { transfers: existing.map(toRecord), replayed: true };
  if (existing.length > 0)
    throw new Error(`movement partly applied: ${existing.map((row) => row.client_ref).join(', ')}`);

  if (pendingIds.length > 0) {
    // Checked under the lock of the hold's debit account, so two resolvers cannot both pass.
    const resolved = await trx
      .selectFrom('mvp_core.ledger_transfers')
      .select('pending_id')
      .where('pending_id', 'in', pendingIds)
      .execute();
    if (resolved.length > 0)
      throw new PendingResolvedError(`pending transfer ${resolved[0]?.pending_id} is already resolved`);
  }

  const domainLegs: Leg[] = legs.map((leg) => {
    if (leg.type === 'posted' || leg.type === 'pending') {
      const sides = {
        debitAccountId: accountId(leg.debit),
        creditAccountId: accountId(leg.credit),
        amount: leg.amount,
      };
      return leg.type === 'posted' ? { type: 'posted', ...sides } : { type: 'pending', ...sides };
    }
    const pending = pendings.get(leg.pendingId);
    if (!pending) throw new Error(`pending transfer ${leg.pendingId} not found`);
    return leg.type === 'post' ? { type: 'post', pending, amount: leg.amount } : { type: 'void', pending };
  });
  const next = applyLegs(states, domainLegs);

  const rows = legs.map((leg, index) => {
    const domainLeg = domainLegs[index] as Leg;
    const base = {
      id: randomUUID(),
      client_ref: leg.clientRef,
      kind: leg.type,
      reason: leg.reason,
      memo: leg.memo ?? null,
      actor_id: leg.actorId ?? null,
    };
    if (domainLeg.type === 'posted' || domainLeg.type === 'pending') {
      return {
        ...base,
        debit_account_id: domainLeg.debitAccountId,
        credit_account_id: domainLeg.creditAccountId,
        asset: (states.get(domainLeg.debitAccountId) as AccountState).asset,
        amount: domainLeg.amount,
        pending_id: null,
        released: 0,
      };
    }
    return {
      ...base,
      debit_account_id: domainLeg.pending.debitAccountId,
      credit_account_id: domainLeg.pending.creditAccountId,
      asset: domainLeg.pending.asset,
      amount: domainLeg.type === 'post' ? domainLeg.amount : 0,
      pending_id: domainLeg.pending.id,
      released: domainLeg.pending.amount,
    };
  });
  const inserted = await trx.insertInto('mvp_core.ledger_transfers').values(rows).returningAll().execute();

  const changed = [...next.values()].filter((state) => {
    const before = states.get(state.id) as AccountState;
    return before.balance !== state.balance || before.held !== state.held;
  });
  if (changed.length > 0) {
    const values = changed.map((state) => sql`(${state.id}::bigint, ${state.balance}::bigint, ${state.held}::bigint)`);
    await sql`
      UPDATE mvp_core.ledger_accounts AS a SET balance = v.balance, held = v.held
      FROM (VALUES ${sql.join(values)}) AS v(id, balance, held) WHERE a.id = v.id`.execute(trx);
  }
  const order = new Map(legs.map((leg, index) => [leg.clientRef, index]));
  const transfers = inserted
    .map(toRecord)
    .sort((a, b) => (order.get(a.clientRef) ?? 0) - (order.get(b.clientRef) ?? 0));
  for (const transfer of transfers) await announceTransfer(trx, transfer, states);
  return { transfers, replayed: false };
}

/** Every transfer leaves the ledger with its event, in the transaction that wrote it. */
async function announceTransfer(
  trx: Trx,
  transfer: TransferRecord,
  accounts: Map<number, AccountState>,
): Promise<void> {
  const side = (id: number): LedgerSide => {
    const account = accounts.get(id);
    if (!account) throw new Error(`account ${id} was not locked for transfer ${transfer.id}`);
    return { kind: account.kind, ownerId: account.ownerId };
  };
  await writeEvent(
    platformView(trx),
    'economy',
    ledgerTransferEvent(transfer, side(transfer.debitAccountId), side(transfer.creditAccountId)),
  );
}

type LedgerSide = Pick<AccountRef, 'kind' | 'ownerId'>;

export function ledgerTransferEvent(
  transfer: Pick<TransferRecord, 'id' | 'clientRef' | 'kind' | 'reason' | 'asset' | 'amount' | 'pendingId'>,
  debit: LedgerSide,
  credit: LedgerSide,
): NewEvent<'economy.ledger.transfers'> {
  return {
    topic: 'economy.ledger.transfers',
    key: debit.ownerId,
    payload: {
      transferId: transfer.id,
      clientRef: transfer.clientRef,
      kind: transfer.kind,
      reason: transfer.reason,
      asset: transfer.asset,
      amount: transfer.amount,
      debit: { kind: debit.kind, ownerId: debit.ownerId },
      credit: { kind: credit.kind, ownerId: credit.ownerId },
      pendingId: transfer.pendingId,
    },
  };
}

export function houseAccount(asset: Asset): AccountRef {
  return { kind: 'house', ownerId: 'house', asset };
}

/**
 * Account owners are text (the house is 'house'), so a UUID is keyed in lower case: the same
 * character or order in upper case must not open a second account of its own.
 */
export function ownerKey(id: string): string {
  return id.toLowerCase();
}

export function characterAccount(characterId: string, asset: Asset): AccountRef {
  return { kind: 'character', ownerId: ownerKey(characterId), asset };
}

export interface AccountBalance {
  asset: string;
  balance: number;
  held: number;
}

export async function characterBalances(db: EconomyDb | Trx, characterId: string): Promise<AccountBalance[]> {
  const rows = await db
    .selectFrom('mvp_core.ledger_accounts')
    .select(['asset', 'balance', 'held'])
    .where('kind', '=', 'character')
    .where('owner_id', '=', ownerKey(characterId))
    .execute();
  return rows.map((row) => ({ asset: row.asset, balance: Number(row.balance), held: Number(row.held) }));
}

export interface LedgerEntry {
  transfer: TransferRecord;
  /** The character's side of the transfer. */
  direction: 'debit' | 'credit';
  counterparty: { kind: AccountKind; ownerId: string };
}

/** The character's transfers, newest first, `cursor` being the last seq already seen. */
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
