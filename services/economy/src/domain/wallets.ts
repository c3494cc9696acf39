/** A character's wallet as the API shows it: balances, ledger entries, and the starting kit it begins with. */
import { ASSETS, startingGrants } from './catalogue.ts';
import type { AccountKind } from './ledger.ts';
import { characterAccount, houseAccount, type MovementLeg, type TransferRecord } from './movements.ts';

export interface AccountBalance {
  asset: string;
  balance: number;
  held: number;
}

export interface WalletView {
  characterId: string;
  balances: { asset: string; available: number; held: number }[];
}

/** Every asset, those the character never held at zero. */
export function walletView(characterId: string, balances: AccountBalance[]): WalletView {
  const byAsset = new Map(balances.map((row) => [row.asset, row]));
  return {
    characterId,
    balances: ASSETS.map((asset) => {
      const row = byAsset.get(asset);
      return { asset, available: row ? row.balance - row.held : 0, held: row?.held ?? 0 };
    }),
  };
}

export interface LedgerEntry {
  transfer: TransferRecord;
  /** The character's side of the transfer. */
  direction: 'debit' | 'credit';
  counterparty: { kind: AccountKind; ownerId: string };
}

/** What a transfer changed on the character's account: the posted balance, and what is held. */
export function ledgerEntryView({ transfer, direction, counterparty }: LedgerEntry) {
  const sign = direction === 'debit' ? -1 : 1;
  const held = direction === 'debit' ? (transfer.kind === 'pending' ? transfer.amount : -transfer.released) : 0;
  return {
    transferId: transfer.id,
    kind: transfer.kind,
    direction,
    asset: transfer.asset,
    balanceChange: transfer.kind === 'pending' ? 0 : sign * transfer.amount,
    heldChange: held,
    counterparty,
    reason: transfer.reason,
    memo: transfer.memo,
    createdAt: transfer.createdAt.toISOString(),
  };
}

/** The starting kit once per character: its client refs are derived from the character, not the event. */
export function startingKitLegs(characterId: string, origin: string): MovementLeg[] {
  return startingGrants(origin).map(({ asset, amount }) => ({
    type: 'posted',
    clientRef: `starting-kit:${characterId}:${asset}`,
    debit: houseAccount(asset),
    credit: characterAccount(characterId, asset),
    amount,
    reason: 'starting_kit',
    memo: `origin ${origin}`,
  }));
}
