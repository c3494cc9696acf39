import { randomUUID } from 'node:crypto';
import { AppError } from '@necp/platform';
import { ASSETS, type Asset, startingGrants } from '../domain/catalogue.ts';
import { LedgerRefusal } from '../domain/ledger.ts';
import {
  characterAccount,
  characterBalances,
  houseAccount,
  type MovementLeg,
  type MovementResult,
  move,
  PendingResolvedError,
  type TransferRecord,
  type Trx,
} from './ledger-store.ts';

/** Ledger refusals become the API's codes; anything else stays a fault. */
export async function moveOrRefuse(
  trx: Trx,
  legs: MovementLeg[],
  options: { freshRefs?: boolean } = {},
): Promise<MovementResult> {
  try {
    return await move(trx, legs, options);
  } catch (error) {
    if (error instanceof LedgerRefusal) {
      throw new AppError(
        'INSUFFICIENT_FUNDS',
        `Not enough ${error.asset}: ${error.available} available, ${error.required} required`,
        {
          extensions: { asset: error.asset, required: error.required, available: error.available },
        },
      );
    }
    if (error instanceof PendingResolvedError) throw new AppError('INVALID_STATE', error.message);
    throw error;
  }
}

export interface TransferView {
  transferId: string;
  fromCharacterId: string;
  toCharacterId: string;
  asset: string;
  amount: number;
  memo: string | null;
  createdAt: string;
}

export async function transferBetweenCharacters(
  trx: Trx,
  input: { fromCharacterId: string; toCharacterId: string; asset: Asset; amount: number; memo?: string | undefined },
  actorId: string,
): Promise<TransferView> {
  const transferId = randomUUID();
  const { transfers } = await moveOrRefuse(
    trx,
    [
      {
        type: 'posted',
        clientRef: `p2p:${transferId}`,
        debit: characterAccount(input.fromCharacterId, input.asset),
        credit: characterAccount(input.toCharacterId, input.asset),
        amount: input.amount,
        reason: 'p2p_transfer',
        memo: input.memo,
        actorId,
      },
    ],
    { freshRefs: true },
  );
  const transfer = transfers[0] as TransferRecord;
  return {
    transferId: transfer.id,
    fromCharacterId: input.fromCharacterId,
    toCharacterId: input.toCharacterId,
    asset: transfer.asset,
    amount: transfer.amount,
    memo: transfer.memo,
    createdAt: transfer.createdAt.toISOString(),
  };
}

export interface GrantView {
  grantId: string;
  characterId: string;
  asset: string;
  amount: number;
  reason: string;
  createdAt: string;
}

/** Mints from the house (its balance goes negative by what it issues). */
export async function grant(
  trx: Trx,
  input: { characterId: string; asset: Asset; amount: number; reason: string },
  actorId: string,
  clientRef = `grant:${randomUUID()}`,
): Promise<GrantView> {
  const { transfers } = await moveOrRefuse(trx, [
    {
      type: 'posted',
      clientRef,
      debit: houseAccount(input.asset),
      credit: characterAccount(input.characterId, input.asset),
      amount: input.amount,
      reason: 'grant',
      memo: input.reason,
      actorId,
    },
  ]);
  const transfer = transfers[0] as TransferRecord;
  return {
    grantId: transfer.id,
    characterId: input.characterId,
    asset: transfer.asset,
    amount: transfer.amount,
    reason: input.reason,
    createdAt: transfer.createdAt.toISOString(),
  };
}

/** The starting kit once per character: its client refs are derived from the character, not the event. */
export async function grantStartingKit(trx: Trx, characterId: string, origin: string): Promise<MovementResult> {
  const legs: MovementLeg[] = startingGrants(origin).map(({ asset, amount }) => ({
    type: 'posted',
    clientRef: `starting-kit:${characterId}:${asset}`,
    debit: houseAccount(asset),
    credit: characterAccount(characterId, asset),
    amount,
    reason: 'starting_kit',
    memo: `origin ${origin}`,
  }));
  return move(trx, legs);
}

export interface WalletView {
  characterId: string;
  balances: { asset: string; available: number; held: number }[];
}

export async function wallet(trx: Parameters<typeof characterBalances>[0], characterId: string): Promise<WalletView> {
  const rows = new Map((await characterBalances(trx, characterId)).map((row) => [row.asset, row]));
  return {
    characterId,
    balances: ASSETS.map((asset) => {
      const row = rows.get(asset);
      return { asset, available: row ? row.balance - row.held : 0, held: row?.held ?? 0 };
    }),
  };
}
