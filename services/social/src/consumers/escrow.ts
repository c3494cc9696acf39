import { idempotentConsumer, type Subscription } from '@necp/platform';
import type { SocialDeps } from '../flows/deps.ts';
import { recordEscrowStatus } from '../flows/escrow-status.ts';
import type { SocialTables } from '../store/tables.ts';

/** `economy.escrow.events`: the escrow status shown on each order. */
export function escrowEventsConsumer(deps: SocialDeps): Subscription {
  return idempotentConsumer<SocialTables, 'economy.escrow.events'>(
    deps.database,
    'social.escrow',
    ['economy.escrow.events'],
    (trx, event) => recordEscrowStatus(trx, event),
  );
}
