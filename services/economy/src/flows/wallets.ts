import { AppError, type AuthContext, pageLimit } from '@necp/platform';
import { walletReaders } from '../domain/roles.ts';
import { ledgerEntryView, type WalletView, walletView } from '../domain/wallets.ts';
import { characterBalances } from '../store/ledger-accounts.ts';
import { characterLedger } from '../store/ledger-transfers.ts';
import type { EconomyDeps } from './deps.ts';

/** A character's balances, every asset: for its owner, admins and services. */
export async function walletOf(deps: EconomyDeps, caller: AuthContext, characterId: string): Promise<WalletView> {
  await deps.characters.assertCallerOwns(caller, characterId, walletReaders);
  return walletView(characterId, await characterBalances(deps.db, characterId));
}

/** A ledger page's cursor is the seq of the last entry it showed. */
function beforeSeqOf(cursor: string): number {
  if (/^[0-9]{1,18}$/.test(cursor)) return Number(cursor);
  throw new AppError('VALIDATION_ERROR', 'The cursor is not one this service issued', {
    errors: [{ path: 'querystring/cursor', message: 'is invalid' }],
  });
}

/** A character's ledger entries, newest first: for its owner, admins and services. */
export async function ledgerOf(
  deps: EconomyDeps,
  caller: AuthContext,
  characterId: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
) {
  await deps.characters.assertCallerOwns(caller, characterId, walletReaders);
  const beforeSeq = page.cursor === undefined ? undefined : beforeSeqOf(page.cursor);
  const { entries, nextCursor } = await characterLedger(deps.db, characterId, pageLimit(page), beforeSeq);
  return { items: entries.map(ledgerEntryView), nextCursor: nextCursor === null ? null : String(nextCursor) };
}
