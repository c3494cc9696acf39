import { sql } from 'kysely';
import type { AccountKind, AccountRef, AccountState } from '../domain/ledger.ts';
import { ownerKey } from '../domain/movements.ts';
import type { AccountBalance } from '../domain/wallets.ts';
import type { EconomyDb, Trx } from './tables.ts';

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

/**
 * Locks the accounts named by refs or ids, in id order with the house last (as
 * `mvp_core.ledger_post_transfers` does), so racing movements queue instead of deadlocking. FOR NO KEY
 * UPDATE (only balances change): the foreign key checks of transfer rows that name these accounts, the
 * house's above all (every escrow settlement credits it), do not wait for it.
 */
export async function lockAccounts(trx: Trx, refs: AccountRef[], ids: number[]): Promise<AccountState[]> {
  if (refs.length === 0 && ids.length === 0) return [];
  const tuples = refs.map((ref) => sql`(${ref.kind}, ${ref.ownerId}, ${ref.asset})`);
  const byRef = tuples.length > 0 ? sql`(kind, owner_id, asset) IN (${sql.join(tuples)})` : sql`false`;
  const byId = ids.length > 0 ? sql`id IN (${sql.join(ids.map((id) => sql`${id}::bigint`))})` : sql`false`;
  const result = await sql<AccountRow>`
    SELECT id, kind, owner_id, asset, balance, held FROM mvp_core.ledger_accounts
    WHERE ${byRef} OR ${byId} ORDER BY kind = 'house', id FOR NO KEY UPDATE`.execute(trx);
  return result.rows.map(toState);
}

/** Opens accounts; a racing opener of the same account makes ours a no-op. */
export async function openAccounts(trx: Trx, refs: AccountRef[]): Promise<void> {
  await trx
    .insertInto('mvp_core.ledger_accounts')
    .values(refs.map((ref) => ({ kind: ref.kind, owner_id: ref.ownerId, asset: ref.asset })))
    .onConflict((conflict) => conflict.columns(['kind', 'owner_id', 'asset']).doNothing())
    .execute();
}

/** Writes the balances of locked accounts, one statement for all of them. */
export async function writeBalances(trx: Trx, accounts: AccountState[]): Promise<void> {
  if (accounts.length === 0) return;
  const values = accounts.map((state) => sql`(${state.id}::bigint, ${state.balance}::bigint, ${state.held}::bigint)`);
  await sql`
    UPDATE mvp_core.ledger_accounts AS a SET balance = v.balance, held = v.held
    FROM (VALUES ${sql.join(values)}) AS v(id, balance, held) WHERE a.id = v.id`.execute(trx);
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
