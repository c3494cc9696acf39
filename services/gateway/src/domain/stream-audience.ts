/**
 * Who may see which event on the realtime stream (shared/API.md §8), and the stream's close codes.
 * Pure: the hub resolves characters to accounts and does the sending.
 */
import type { TopicPayload } from '@necp/contracts';

/** Events every socket receives (a client may narrow them to the districts it subscribes to). */
export const WorldTopics = ['world.unrest.updates', 'world.scenarios'] as const;

/** Events only the sockets of the accounts owning the characters they concern receive. */
export const CharacterTopics = [
  'social.orders.lifecycle',
  'economy.crafting.jobs',
  'economy.escrow.events',
  'player.skills.cooldowns',
  'combat.abilities.curved',
] as const;

/** Events that end sockets: a revoked session's, a banned account's. */
export const DenialTopics = ['auth.session.revoked', 'auth.account.banned'] as const;

export type WorldTopic = (typeof WorldTopics)[number];
export type CharacterTopic = (typeof CharacterTopics)[number];
export type StreamTopic = WorldTopic | CharacterTopic;

/**
 * The parties of an order as this replica learned them from `social.orders.lifecycle`: escrow
 * events name only the order, and an applicant is named by no later event of it.
 */
export interface OrderParties {
  customer: string;
  executor: string | null;
  /** Characters that acted on the order without being its customer or executor (applicants). */
  actors: ReadonlySet<string>;
}

/** Who receives one event: every socket (world updates, with their district), or the owners of these characters. */
export type Audience = { kind: 'world'; districtId: string } | { kind: 'characters'; characterIds: string[] };

type Payload<T extends StreamTopic> = TopicPayload<T>;

/**
 * The characters an event concerns. An order's event goes to its customer, its executor, and the
 * characters that acted on it before (its applicants, as far as this replica saw them act); the
 * actor itself when it is a character (the hub keeps only those that resolve to an owner). An
 * escrow's goes to its order's customer and executor only, when the order is known here.
 */
export function audienceOf(
  topic: StreamTopic,
  payload: Payload<StreamTopic>,
  parties: OrderParties | undefined,
): Audience {
  switch (topic) {
    case 'world.unrest.updates':
    case 'world.scenarios':
      return { kind: 'world', districtId: (payload as Payload<WorldTopic>).districtId };
    case 'social.orders.lifecycle': {
      const order = payload as Payload<'social.orders.lifecycle'>;
      const ids = [order.customerCharacterId, order.executorCharacterId, order.actorId, ...(parties?.actors ?? [])];
      return { kind: 'characters', characterIds: distinct(ids) };
    }
    case 'economy.escrow.events':
      return { kind: 'characters', characterIds: parties ? distinct([parties.customer, parties.executor]) : [] };
    default:
      return { kind: 'characters', characterIds: [(payload as { characterId: string }).characterId] };
  }
}

/**
 * What an order event teaches about the order's parties. `actorIsCharacter`: the actor resolved
 * to a character (an applicant, a party), not an account or a service.
 */
export function learnParties(
  known: OrderParties | undefined,
  order: Payload<'social.orders.lifecycle'>,
  actorIsCharacter: boolean,
): OrderParties {
  const actors = new Set(known?.actors ?? []);
  const executor = order.executorCharacterId ?? known?.executor ?? null;
  if (actorIsCharacter && order.actorId !== order.customerCharacterId && order.actorId !== executor) {
    actors.add(order.actorId);
  }
  if (executor) actors.delete(executor);
  return { customer: order.customerCharacterId, executor, actors };
}

function distinct(ids: readonly (string | null | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

/** Whether a world event passes a socket's district subscription (null: every district). */
export function inDistricts(districts: ReadonlySet<string> | null, districtId: string): boolean {
  return districts === null || districts.has(districtId);
}

/** Close codes of the stream (4000–4999 are the application's, RFC 6455 §7.4.2). */
export const StreamClose = {
  tokenExpired: { code: 4001, reason: 'the access token expired; reconnect with a fresh one' },
  sessionRevoked: { code: 4002, reason: 'the session was ended' },
  accountBanned: { code: 4003, reason: 'the account is banned' },
  slowClient: { code: 4008, reason: 'slow client: the send buffer passed its bound' },
  shuttingDown: { code: 1001, reason: 'the gateway is shutting down' },
} as const;
