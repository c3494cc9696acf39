/**
 * What economy consumes: `characters.lifecycle` (the ownership projection and, on `created`, the
 * starting kit), `social.orders.lifecycle` (escrow settlement) and `world.unrest.updates` (market
 * stress, applied a batch at a time). It publishes `economy.ledger.transfers`, `economy.escrow.events`
 * and `economy.crafting.jobs` through the outbox.
 */
import {
  AppError,
  idempotentConsumer,
  idempotentSetConsumer,
  type SqlDatabase,
  type Subscription,
} from '@necp/platform';
import type { Logger } from 'pino';
import { settlementFor } from './domain/escrow.ts';
import { recordCharacter } from './store/characters-store.ts';
import { recordDistrictTiers } from './store/crafting-store.ts';
import { recordClosedOrder, serializeOrder, settleEscrow } from './store/escrow-store.ts';
import type { EconomyTables } from './store/tables.ts';
import { grantStartingKit } from './store/wallet-ops.ts';

export const ConsumerGroups = {
  characters: 'economy.characters',
  orders: 'economy.orders',
  unrest: 'economy.unrest',
} as const;

export function characterLifecycleConsumer(db: SqlDatabase): Subscription {
  return idempotentConsumer<EconomyTables, 'characters.lifecycle'>(
    db,
    ConsumerGroups.characters,
    ['characters.lifecycle'],
    async (trx, event) => {
      await recordCharacter(trx, event.payload);
      // The kit's client refs name the character, so a re-emitted `created` (new eventId) grants nothing twice.
      if (event.payload.kind === 'created')
        await grantStartingKit(trx, event.payload.characterId, event.payload.origin);
    },
  );
}

/**
 * Settles an order's escrow when social says how the order ended; the same outcome asked through the
 * API first makes this a no-op, and a contradicting one is logged, not retried (it can never apply).
 * An order closed before any escrow was held is remembered, so a late lock for it holds nothing.
 */
export function orderLifecycleConsumer(db: SqlDatabase, logger: Logger): Subscription {
  return idempotentConsumer<EconomyTables, 'social.orders.lifecycle'>(
    db,
    ConsumerGroups.orders,
    ['social.orders.lifecycle'],
    async (trx, event) => {
      const order = event.payload;
      const plan = settlementFor(order);
      if (!plan) return;
      await serializeOrder(trx, order.orderId);
      const escrow = await trx
        .selectFrom('mvp_core.escrows')
        .select('order_id')
        .where('order_id', '=', order.orderId)
        .executeTakeFirst();
      if (!escrow) {
        await recordClosedOrder(trx, order.orderId, order.toStatus);
        return;
      }
      try {
        await settleEscrow(trx, order.orderId, plan.settlement, plan.executor, order.actorId, `event:${event.eventId}`);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'INVALID_STATE') throw error;
        logger.warn({ orderId: order.orderId, toStatus: order.toStatus }, error.message);
      }
    },
  );
}

/** District tiers from world-service: crafting in a district in crisis or worse takes longer. */
export function unrestConsumer(db: SqlDatabase): Subscription {
  return idempotentSetConsumer<EconomyTables, 'world.unrest.updates'>(
    db,
    ConsumerGroups.unrest,
    ['world.unrest.updates'],
    // A batch may move a district several times; in record order, its last update is where it stands.
    async (trx, events) =>
      recordDistrictTiers(trx, new Map(events.map((event) => [event.payload.districtId, event.payload.tier]))),
  );
}
