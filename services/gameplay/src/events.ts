/**
 * What gameplay publishes, each in the transaction of the change it announces: one
 * `combat.ballistics.events` per stored simulation, `combat.abilities.curved` per Curved Shot
 * activation, and `player.skills.cooldowns` whenever a cooldown starts or a ricochet chain moves it.
 */
import type { TopicPayload } from '@necp/contracts';
import { type OutboxRow, outboxRow, type PlatformTables, writeEvent } from '@necp/platform';
import type { Kysely } from 'kysely';
import type { Trx } from './store/tables.ts';

const producer = 'gameplay';

/** The change's transaction seen with the platform's tables (the outbox), so the event commits with it. */
const outboxOf = (trx: Trx) => trx as unknown as Kysely<PlatformTables>;

/** A simulation's event, as an outbox row its store writes in the statement that stores it. */
export function shotEvent(payload: TopicPayload<'combat.ballistics.events'>): OutboxRow<unknown> {
  return outboxRow(producer, { topic: 'combat.ballistics.events', key: payload.combatId, payload });
}

/** A moved cooldown's event, as an outbox row (written with the simulation whose ricochets moved it). */
export function cooldownEvent(payload: TopicPayload<'player.skills.cooldowns'>): OutboxRow<unknown> {
  return outboxRow(producer, { topic: 'player.skills.cooldowns', key: payload.characterId, payload });
}

export async function publishCurvedShot(trx: Trx, payload: TopicPayload<'combat.abilities.curved'>): Promise<void> {
  await writeEvent(outboxOf(trx), producer, { topic: 'combat.abilities.curved', key: payload.characterId, payload });
}

export async function publishCooldown(trx: Trx, payload: TopicPayload<'player.skills.cooldowns'>): Promise<void> {
  await writeEvent(outboxOf(trx), producer, { topic: 'player.skills.cooldowns', key: payload.characterId, payload });
}
