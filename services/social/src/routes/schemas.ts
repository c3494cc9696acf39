import { Uuid } from '@necp/platform';
import { type TSchema, Type } from 'typebox';
import { orderRules } from '../domain/order-config.ts';
import { OrderStatuses } from '../domain/order-machine.ts';

/** social's own route schemas; the shared ones (Uuid, problems, paging, ...) are the platform's. */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });
const literals = (values: readonly string[]) => Type.Union(values.map((value) => Type.Literal(value)));

export const OrderTypes = ['combat', 'hacking', 'logistics', 'crafting', 'social'] as const;
export const AccessLevels = ['public', 'faction', 'invite_only', 'private'] as const;
export const OrderTypeSchema = literals(OrderTypes);
export const OrderStatusSchema = literals(OrderStatuses);
export const DistrictId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_-]+$' });
export const Reward = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });
export const Percent = Type.Integer({ minimum: 0, maximum: 100 });

export const CreateOrderBody = Type.Object(
  {
    customerCharacterId: Uuid,
    orderType: OrderTypeSchema,
    title: Type.String({ minLength: 1, maxLength: 120 }),
    description: Type.String({ minLength: 1, maxLength: 4_000 }),
    districtId: DistrictId,
    reward: Reward,
    deadline: Timestamp,
    accessLevel: literals(AccessLevels),
    invitedCharacterIds: Type.Optional(Type.Array(Uuid, { maxItems: orderRules.maxInvitees })),
    minExecutorRating: Type.Optional(Percent),
  },
  { additionalProperties: false },
);

const TimelineEntry = Type.Object({
  kind: Type.String(),
  fromStatus: Nullable(Type.String()),
  toStatus: Nullable(Type.String()),
  actor: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  at: Timestamp,
});

const orderFields = {
  orderId: Uuid,
  customerCharacterId: Uuid,
  orderType: Type.String(),
  title: Type.String(),
  description: Type.String(),
  districtId: Type.String(),
  reward: Type.Integer(),
  commission: Nullable(Type.Integer()),
  deadline: Timestamp,
  accessLevel: Type.String(),
  invitedCharacterIds: Type.Array(Uuid),
  minExecutorRating: Nullable(Type.Integer()),
  status: Type.String(),
  executorCharacterId: Nullable(Uuid),
  executorSharePercent: Nullable(Type.Integer()),
  delivery: Nullable(Type.Record(Type.String(), Type.Unknown())),
  escrowStatus: Nullable(Type.String()),
  applicationsCount: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  publishedAt: Nullable(Timestamp),
  acceptedAt: Nullable(Timestamp),
  deliveredAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
};

export const OrderSchema = Type.Object(orderFields);
export const OrderDetailSchema = Type.Object({ ...orderFields, history: Type.Array(TimelineEntry) });
export const TimelineSchema = Type.Object({ orderId: Uuid, items: Type.Array(TimelineEntry) });

export const ApplicationSchema = Type.Object({
  applicationId: Uuid,
  orderId: Uuid,
  characterId: Uuid,
  bid: Nullable(Type.Integer()),
  coverLetter: Nullable(Type.String()),
  status: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ApplyBody = Type.Object(
  { characterId: Uuid, bid: Type.Optional(Reward), coverLetter: Type.Optional(Type.String({ maxLength: 2_000 })) },
  { additionalProperties: false },
);

const Link = Type.String({ minLength: 1, maxLength: 500 });

export const DeliverBody = Type.Object(
  {
    proofLinks: Type.Optional(Type.Array(Link, { maxItems: 10 })),
    note: Type.Optional(Type.String({ maxLength: 2_000 })),
    craftingJobId: Type.Optional(Uuid),
    combatId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const DisputeBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2_000 }),
    evidence: Type.Optional(Type.Array(Link, { maxItems: 10 })),
  },
  { additionalProperties: false },
);

export const ResolveBody = Type.Object(
  { executorSharePercent: Percent, note: Type.String({ minLength: 1, maxLength: 2_000 }) },
  { additionalProperties: false },
);

export const ReviewBody = Type.Object(
  { rating: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Type.String({ maxLength: 2_000 })) },
  { additionalProperties: false },
);

export const ReviewSchema = Type.Object({
  orderId: Uuid,
  authorCharacterId: Uuid,
  subjectCharacterId: Uuid,
  subjectRole: Type.String(),
  rating: Type.Integer(),
  comment: Nullable(Type.String()),
  createdAt: Timestamp,
});

export const DisputeSchema = Type.Object({
  disputeId: Uuid,
  orderId: Uuid,
  openedByCharacterId: Uuid,
  reason: Type.String(),
  evidence: Type.Array(Type.String()),
  status: Type.String(),
  openedAt: Timestamp,
});

const RoleRating = Type.Object({
  score: Type.Number(),
  tier: Type.String(),
  peak: Type.Number(),
  lastOrderAt: Nullable(Timestamp),
  completed: Type.Integer(),
  accepted: Type.Integer(),
  finished: Type.Integer(),
  reviews: Type.Integer(),
});

export const RatingsSchema = Type.Object({ characterId: Uuid, executor: RoleRating, customer: RoleRating });

/** The character a player looks as: its invitations and faction open orders to it. */
export const AsCharacter = { characterId: Type.Optional(Uuid) };

/**
 * What a command on an order may answer besides its success: 404 (unseen), 409 (state, limits), 422
 * (a reused Idempotency-Key, a refused payment, the rating gate), 502/503 (character-service or
 * economy unreachable when an invitation, a faction or a payment must be checked).
 */
export const CommandProblems = [404, 409, 422, 502, 503];
