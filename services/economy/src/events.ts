/**
 * What economy publishes, each in the transaction of the change it announces:
 * `economy.ledger.transfers` (every transfer), `economy.escrow.events` (a lock and each settlement)
 * and `economy.crafting.jobs` (queued, processing, each progress step, paused, cancelled, completed).
 */
import type { TopicPayload } from '@necp/contracts';
import { type NewEvent, type OutboxRow, outboxRow, type PlatformTables, writeEvent } from '@necp/platform';
import type { Kysely } from 'kysely';
import type { JobView } from './domain/crafting-job.ts';
import type { EscrowView } from './domain/escrow.ts';
import type { AccountRef } from './domain/ledger.ts';
import type { TransferRecord } from './domain/movements.ts';
import type { Trx } from './store/tables.ts';

const producer = 'economy';

/** The change's transaction seen with the platform's tables (the outbox), so the event commits with it. */
const outboxOf = (trx: Trx) => trx as unknown as Kysely<PlatformTables>;

/** A side of a transfer as its event names it. */
export type LedgerSide = Pick<AccountRef, 'kind' | 'ownerId'>;

function ledgerTransferEvent(
  transfer: Pick<TransferRecord, 'id' | 'clientRef' | 'kind' | 'reason' | 'asset' | 'amount' | 'pendingId'>,
  debit: LedgerSide,
  credit: LedgerSide,
): NewEvent<'economy.ledger.transfers'> {
  return {
    topic: 'economy.ledger.transfers',
    key: debit.ownerId,
    payload: {
      transferId: transfer.id,
      clientRef: transfer.clientRef,
      kind: transfer.kind,
      reason: transfer.reason,
      asset: transfer.asset,
      amount: transfer.amount,
      debit: { kind: debit.kind, ownerId: debit.ownerId },
      credit: { kind: credit.kind, ownerId: credit.ownerId },
      pendingId: transfer.pendingId,
    },
  };
}

/** The outbox row of a transfer's event, for the statement that writes the transfer. */
export function ledgerTransferOutboxRow(
  transfer: Pick<TransferRecord, 'id' | 'clientRef' | 'kind' | 'reason' | 'asset' | 'amount' | 'pendingId'>,
  debit: LedgerSide,
  credit: LedgerSide,
): OutboxRow<TopicPayload<'economy.ledger.transfers'>> {
  return outboxRow(producer, ledgerTransferEvent(transfer, debit, credit));
}

/**
 * The outbox row of a posted transfer that `mvp_core.ledger_post_transfers` writes itself, in the
 * statement that posts the transfer.
 */
export function postedTransferOutboxRow(
  transfer: Pick<TransferRecord, 'id' | 'clientRef' | 'reason' | 'amount'> & { debit: AccountRef; credit: AccountRef },
): OutboxRow<TopicPayload<'economy.ledger.transfers'>> {
  const { debit, credit } = transfer;
  return outboxRow(
    producer,
    ledgerTransferEvent({ ...transfer, kind: 'posted', asset: debit.asset, pendingId: null }, debit, credit),
  );
}

/** The outbox row of an escrow's change (a lock or a settlement), for the statement that makes it. */
export function escrowOutboxRow(
  escrow: Pick<EscrowView, 'orderId' | 'status' | 'amount' | 'commission' | 'executorAmount' | 'refundAmount'>,
): OutboxRow<TopicPayload<'economy.escrow.events'>> {
  return outboxRow(producer, {
    topic: 'economy.escrow.events',
    key: escrow.orderId,
    payload: {
      orderId: escrow.orderId,
      status: escrow.status,
      amount: escrow.amount,
      commission: escrow.commission,
      executorAmount: escrow.executorAmount,
      refundAmount: escrow.refundAmount,
    },
  });
}

export async function publishCraftingJob(trx: Trx, view: JobView): Promise<void> {
  await writeEvent(outboxOf(trx), producer, {
    topic: 'economy.crafting.jobs',
    key: view.jobId,
    payload: {
      jobId: view.jobId,
      characterId: view.characterId,
      blueprintId: view.blueprintId,
      status: view.status,
      progressPercent: view.progressPercent,
      eta: view.eta,
      materialsConsumed: view.materialsConsumed,
      outputTemplateId: view.outputTemplateId,
      // character-service grants this many items of outputTemplateId on `completed`.
      quantity: view.outputQuantity * view.quantity,
      linkedOrderId: view.linkedOrderId,
      workshopId: view.workshopId,
    },
  });
}
