import type { EventEnvelope, TopicPayload } from '@necp/contracts';
import { escrowOutcomes } from '../domain/escrow-status.ts';
import { setEscrowStatuses } from '../store/orders.ts';
import type { Trx } from '../store/tables.ts';

/**
 * Records the escrow statuses economy reports for a set of events in one statement: each order
 * gets what the news leave on it (domain/escrow-status.ts), written only over a status it may
 * replace, so a late or repeated event never moves it back.
 */
export async function recordEscrowStatuses(
  trx: Trx,
  events: readonly EventEnvelope<TopicPayload<'economy.escrow.events'>>[],
): Promise<void> {
  await setEscrowStatuses(trx, escrowOutcomes(events.map((event) => event.payload)));
}
