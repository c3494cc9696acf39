/**
 * A movement in economy's words: the accounts that hold value (the house, a character's wallet, an
 * order's escrow, a crafting job's hold of one material) and the legs that move it between them.
 * `applyLegs` (ledger.ts) decides whether the legs fit; the flows lock, apply and write them.
 */
import { type Asset, CURRENCY, type Material } from './catalogue.ts';
import { type AccountRef, HOUSE_OWNER } from './ledger.ts';

interface LegCommon {
  /** Exactly-once id of this leg: a second movement carrying it finds the first and writes nothing. */
  clientRef: string;
  reason: string;
  memo?: string | undefined;
  actorId?: string | undefined;
}

export type MovementLeg =
  | (LegCommon & { type: 'posted'; debit: AccountRef; credit: AccountRef; amount: number })
  | (LegCommon & { type: 'pending'; debit: AccountRef; credit: AccountRef; amount: number })
  | (LegCommon & { type: 'post'; pendingId: string; amount: number })
  | (LegCommon & { type: 'void'; pendingId: string });

/** A hold: what a later `post` or `void` leg resolves. */
export type PendingLeg = Extract<MovementLeg, { type: 'pending' }>;

export type TransferKind = 'posted' | 'pending' | 'post' | 'void';

/** A transfer as the ledger recorded it. */
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

/**
 * Account owners are text (the house is 'house'), so a UUID is keyed in lower case: the same
 * character or order in upper case must not open a second account of its own.
 */
export function ownerKey(id: string): string {
  return id.toLowerCase();
}

export function houseAccount(asset: Asset): AccountRef {
  return { kind: 'house', ownerId: HOUSE_OWNER, asset };
}

export function characterAccount(characterId: string, asset: Asset): AccountRef {
  return { kind: 'character', ownerId: ownerKey(characterId), asset };
}

/** One per order: the payer's reward and commission while the order runs. */
export function escrowAccount(orderId: string): AccountRef {
  return { kind: 'escrow', ownerId: ownerKey(orderId), asset: CURRENCY };
}

/** One per crafting job and material: what the job holds until it completes or is cancelled. */
export function craftingHoldAccount(jobId: string, asset: Material): AccountRef {
  return { kind: 'crafting_hold', ownerId: jobId, asset };
}
