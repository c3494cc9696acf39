import type { EventEnvelope, TopicPayload } from '@necp/contracts';
import type { Trx } from '../store/tables.ts';

/**
 * Records the escrow status economy reports for an order: `locked` only over no status, an end
 * (released, refunded, split) only over none or `locked`, so a late or repeated event never moves
 * it back.
 */
export async function recordEscrowStatus(
  trx: Trx,
  event: EventEnvelope<TopicPayload<'economy.escrow.events'>>,
): Promise<void> {
  const { orderId, status } = event.payload;
  await trx
    .updateTable('mvp_core.social_orders')
    .set({ escrow_status: status })
    .where('order_id', '=', orderId)
    .where((eb) =>
      status === 'locked'
        ? eb('escrow_status', 'is', null)
        : eb.or([eb('escrow_status', 'is', null), eb('escrow_status', '=', 'locked')]),
    )
    .execute();
}
