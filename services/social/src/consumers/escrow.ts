import { idempotentSetConsumer, type Subscription } from '@necp/platform';
import type { SocialDeps } from '../flows/deps.ts';
import { recordEscrowStatuses } from '../flows/escrow-status.ts';
import type { SocialTables } from '../store/tables.ts';

/** `economy.escrow.events`: the escrow status shown on each order, one statement per delivered batch. */
export function escrowEventsConsumer(deps: SocialDeps): Subscription {
  return idempotentSetConsumer<SocialTables, 'economy.escrow.events'>(
    deps.database,
    'social.escrow',
    ['economy.escrow.events'],
    (trx, events) => recordEscrowStatuses(trx, events),
  );
}
