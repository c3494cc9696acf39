import { type Static, type TSchema, Type } from 'typebox';

const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

/** Payload schemas of the topic catalogue (shared/API.md §9), keyed by topic name. */
export const TopicPayloads = {
  'auth.account.created': Type.Object({ accountId: Uuid, username: Type.String(), createdAt: Timestamp }),
  'auth.account.banned': Type.Object({ accountId: Uuid, reason: Type.String(), until: Nullable(Timestamp) }),
  'auth.session.revoked': Type.Object({ accountId: Uuid, sessionId: Uuid }),
  'characters.lifecycle': Type.Object({
    kind: Type.Union([
      Type.Literal('created'),
      Type.Literal('deleted'),
      Type.Literal('restored'),
      Type.Literal('updated'),
    ]),
    characterId: Uuid,
    accountId: Uuid,
    origin: Type.String(),
    class: Type.String(),
    district: Type.String(),
  }),
  'combat.ballistics.events': Type.Object({
    simulationId: Uuid,
    combatId: Uuid,
    characterId: Uuid,
    weaponId: Type.String(),
    weaponClass: Type.String(),
    distance: Type.Number(),
    hit: Type.Boolean(),
    damageDealt: Type.Number(),
    ricochetCount: Type.Integer(),
    curvedShotUsed: Type.Boolean(),
    statusEffects: Type.Array(Type.String()),
    districtId: Nullable(Type.String()),
    linkedOrderId: Nullable(Uuid),
  }),
  'combat.abilities.curved': Type.Object({
    characterId: Uuid,
    weaponId: Type.String(),
    bendAngle: Type.Number(),
    cooldownEndsAt: Timestamp,
  }),
  'player.skills.cooldowns': Type.Object({ characterId: Uuid, skillId: Type.String(), cooldownEndsAt: Timestamp }),
  'social.orders.lifecycle': Type.Object({
    orderId: Uuid,
    fromStatus: Nullable(Type.String()),
    toStatus: Type.String(),
    actorId: Uuid,
    customerCharacterId: Uuid,
    executorCharacterId: Nullable(Uuid),
    orderType: Type.String(),
    districtId: Type.String(),
    reward: Type.Integer({ minimum: 1 }),
    executorSharePercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  }),
  'economy.escrow.events': Type.Object({
    orderId: Uuid,
    status: Type.String(),
    amount: Type.Integer(),
    commission: Type.Integer(),
    executorAmount: Type.Integer(),
    refundAmount: Type.Integer(),
  }),
  /** One per ledger transfer (issue 6: every movement commits with its event); not in API.md §9's table. */
  'economy.ledger.transfers': Type.Object({
    transferId: Uuid,
    clientRef: Type.String(),
    kind: Type.Union([Type.Literal('posted'), Type.Literal('pending'), Type.Literal('post'), Type.Literal('void')]),
    reason: Type.String(),
    asset: Type.String(),
    amount: Type.Integer({ minimum: 0 }),
    debit: Type.Object({ kind: Type.String(), ownerId: Type.String() }),
    credit: Type.Object({ kind: Type.String(), ownerId: Type.String() }),
    pendingId: Nullable(Uuid),
  }),
  'economy.crafting.jobs': Type.Object({
    jobId: Uuid,
    characterId: Uuid,
    blueprintId: Type.String(),
    status: Type.String(),
    progressPercent: Type.Number({ minimum: 0, maximum: 100 }),
    eta: Nullable(Timestamp),
    materialsConsumed: Type.Record(Type.String(), Type.Integer()),
    outputTemplateId: Type.String(),
    quantity: Type.Integer({ minimum: 1 }),
    linkedOrderId: Nullable(Uuid),
    workshopId: Type.String(),
  }),
  'world.unrest.updates': Type.Object({
    impactId: Uuid,
    districtId: Type.String(),
    previousLevel: Type.Number(),
    newLevel: Type.Number(),
    delta: Type.Number(),
    tier: Type.String(),
    sourceType: Type.String(),
    sourceId: Type.String(),
    minor: Type.Boolean(),
    recommendations: Type.Array(Type.String()),
  }),
  'world.scenarios': Type.Object({
    scenarioId: Uuid,
    districtId: Type.String(),
    kind: Type.String(),
    /** `cancelled`: an operator stopped it by hand (live ops); not in API.md §9's list. */
    status: Type.Union([Type.Literal('started'), Type.Literal('completed'), Type.Literal('cancelled')]),
  }),
} as const;

export type Topic = keyof typeof TopicPayloads;
export type TopicPayload<T extends Topic> = Static<(typeof TopicPayloads)[T]>;

export const Topics = Object.keys(TopicPayloads) as Topic[];

/** Where a consumer's poison messages go after its bounded retries. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
