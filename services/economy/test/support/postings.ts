import { idempotencyClaim } from '@necp/platform';
import { type TransferPosting, underKey } from '../../src/flows/transfer-posting.ts';
import { p2pTransfer } from '../../src/flows/transfers.ts';

export interface Party {
  accountId: string;
  characterId: string;
}

/** A P2P transfer of `amount` EDD as the route posts it, under Idempotency-Key `key` when given. */
export function p2pPosting(from: Party, to: Party, amount: number, key?: string): TransferPosting {
  const body = { fromCharacterId: from.characterId, toCharacterId: to.characterId, asset: 'EDD' as const, amount };
  const { transfer, viewOf } = p2pTransfer(body, from.accountId);
  const claim =
    key === undefined ? undefined : idempotencyClaim({ scope: `test:${from.accountId}`, key, request: body });
  return underKey({ transfer, answer: (posted) => ({ status: 201, body: viewOf(posted) }) }, claim);
}
