import { AppError, type ServiceClient } from '@necp/platform';

export interface EscrowLock {
  orderId: string;
  payerCharacterId: string;
  amount: number;
  commission: number;
}

/** economy's escrow as social uses it: the synchronous lock at publish. */
export interface EscrowClient {
  /** Locks reward + commission (idempotent on the order id); resolves with the commission held. */
  lock(request: EscrowLock): Promise<{ commission: number }>;
}

/**
 * Over economy's API with social's service token. A 422 INSUFFICIENT_FUNDS or 409 INVALID_STATE
 * (an order economy knows closed) is passed on; a lock already held with another commission (the
 * customer's tier moved between two attempts) is the lock: the held commission wins.
 */
export function economyEscrowClient(economy: ServiceClient): EscrowClient {
  return {
    async lock(request) {
      const answer = await economy.postJson('/api/v1/economy/escrows', request, 'an escrow lock');
      if (answer.status === 201) return { commission: answer.body.commission };
      const code = answer.body?.code;
      if (code === 'CONFLICT') {
        const held = await economy.getJson(`/api/v1/economy/escrows/${request.orderId}`, 'an escrow lock');
        const escrow = held as { payerCharacterId?: string; amount?: number; commission?: number } | null;
        if (escrow?.payerCharacterId === request.payerCharacterId && escrow.amount === request.amount) {
          return { commission: escrow.commission as number };
        }
      }
      if (code === 'INSUFFICIENT_FUNDS' || code === 'INVALID_STATE' || code === 'NOT_FOUND') {
        throw new AppError(code, String(answer.body.detail ?? code));
      }
      throw new AppError('UPSTREAM_UNAVAILABLE', `economy-service answered ${answer.status} to an escrow lock`, {
        status: 502,
      });
    },
  };
}
