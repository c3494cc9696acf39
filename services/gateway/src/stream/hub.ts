import { type Topic, type TopicPayload, TopicPayloads } from '@necp/contracts';
import type { AuthContext, BusRecord } from '@necp/platform';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Compile } from 'typebox/compile';
import type { WebSocket } from 'ws';
import { type Remembered, ReplayWindow } from '../domain/replay-window.ts';
import {
  audienceOf,
  CharacterTopics,
  inDistricts,
  learnParties,
  type StreamTopic,
  WorldTopics,
} from '../domain/stream-audience.ts';
import { type ConnectionOptions, StreamConnection } from './connection.ts';
import { OrderMemory } from './order-memory.ts';

export interface StreamHubOptions {
  /** The account owning a live character, null when none (the platform's cached character ownership). */
  ownerOf(characterId: string): Promise<string | null>;
  logger: Logger;
  replayMaxEvents: number;
  replayMaxAgeMs: number;
  sendBufferMaxBytes: number;
  closeGraceMs: number;
  orderMemoryMax: number;
  metrics: Registry;
  now?: () => number;
}

/** An event as delivered: who may see it, and its JSON after the sequence number. */
interface Delivered extends Remembered {
  tail: string;
  /** A world event's district, or the accounts (lower case) a character event is for. */
  districtId: string | undefined;
  accounts: ReadonlySet<string> | undefined;
}

/** What a client asks for when it connects. */
export interface StreamRequest {
  districts: ReadonlySet<string> | null;
  /** The last event id it saw, on a reconnect. */
  since: string | undefined;
}

const StreamTopics = new Set<string>([...WorldTopics, ...CharacterTopics]);
const payloadCheckers = new Map([...StreamTopics].map((topic) => [topic, Compile(TopicPayloads[topic as Topic])]));

/**
 * This replica's sockets and the events fanned out to them. Each event is delivered once to every
 * socket allowed to see it: world events to all (within their district subscription), the others
 * only to sockets whose account owns one of the characters the event concerns. Kept in the
 * replay window with its audience, so a replay shows a socket only what it could have seen live.
 */
export class StreamHub {
  readonly #options: StreamHubOptions;
  readonly #now: () => number;
  readonly #connections = new Set<StreamConnection>();
  readonly #byAccount = new Map<string, Set<StreamConnection>>();
  readonly #window: ReplayWindow<Delivered>;
  readonly #orders: OrderMemory;
  readonly #connectionOptions: ConnectionOptions;
  readonly #sent: Counter<'kind'>;

  constructor(options: StreamHubOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#window = new ReplayWindow(options.replayMaxEvents, options.replayMaxAgeMs);
    this.#orders = new OrderMemory(options.orderMemoryMax);
    const connections = this.#connections;
    new Gauge({
      name: 'gateway_stream_sockets',
      help: 'Realtime sockets open on this replica',
      registers: [options.metrics],
      collect() {
        this.set(connections.size);
      },
    });
    const ended = new Counter({
      name: 'gateway_stream_ended_total',
      help: 'Realtime sockets the gateway ended, by reason (slowClient, tokenExpired, sessionRevoked, accountBanned, unansweredPing, shuttingDown)',
      labelNames: ['reason'],
      registers: [options.metrics],
    });
    this.#sent = new Counter({
      name: 'gateway_stream_events_total',
      help: 'Events this replica received for the stream, by audience (world: every socket; characters: their owners)',
      labelNames: ['kind'],
      registers: [options.metrics],
    });
    this.#connectionOptions = {
      sendBufferMaxBytes: options.sendBufferMaxBytes,
      closeGraceMs: options.closeGraceMs,
      ended: (because) => ended.inc({ reason: because }),
    };
  }

  get size(): number {
    return this.#connections.size;
  }

  /** Takes an upgraded socket: greets it (with what it missed, when it asked), then streams to it. */
  attach(socket: WebSocket, auth: AuthContext, request: StreamRequest): StreamConnection {
    const connection = new StreamConnection(socket, auth, request.districts, this.#connectionOptions);
    const account = auth.accountId.toLowerCase();
    this.#connections.add(connection);
    const mine = this.#byAccount.get(account) ?? new Set();
    mine.add(connection);
    this.#byAccount.set(account, mine);
    socket.once('close', () => {
      connection.released();
      this.#connections.delete(connection);
      mine.delete(connection);
      if (mine.size === 0 && this.#byAccount.get(account) === mine) this.#byAccount.delete(account);
    });
    const replay = request.since ? this.#window.since(request.since, this.#now()) : undefined;
    const missed = replay?.kind === 'events' ? replay.events.filter((entry) => this.#visible(entry, connection)) : [];
    connection.control('ready', {
      replay: replay === undefined ? 'none' : replay.kind === 'gap' ? 'gap' : 'complete',
      replayed: missed.length,
      districts: districtList(connection.districts),
    });
    for (const entry of missed) connection.send(entry.tail);
    return connection;
  }

  /** Narrows (or, with null, widens back) the world events a socket receives. */
  subscribe(connection: StreamConnection, districts: ReadonlySet<string> | null): void {
    connection.districts = districts;
    connection.control('subscribed', { districts: districtList(districts) });
  }

  /**
   * One event from the bus. Never throws: the stream is best effort (a client reads state over
   * REST after a gap), and an event whose audience cannot be resolved goes to no one.
   */
  async deliver(record: BusRecord): Promise<void> {
    if (!StreamTopics.has(record.topic)) return;
    const topic = record.topic as StreamTopic;
    const { payload, eventId } = record.envelope;
    if (!payloadCheckers.get(topic)?.Check(payload)) {
      this.#options.logger.warn({ topic, eventId }, 'stream: an event breaks its contract; not delivered');
      return;
    }
    const typed = payload as TopicPayload<StreamTopic>;
    const orderId = (typed as { orderId?: string }).orderId;
    let parties = orderId === undefined ? undefined : this.#orders.get(orderId);
    const audience = audienceOf(topic, typed, parties);
    const owners =
      audience.kind === 'characters' ? await this.#ownersOf(audience.characterIds, topic, eventId) : undefined;
    if (topic === 'social.orders.lifecycle' && orderId !== undefined) {
      const order = typed as TopicPayload<'social.orders.lifecycle'>;
      parties = learnParties(parties, order, owners?.has(order.actorId) ?? false);
      this.#orders.set(orderId, parties);
    }
    const entry: Delivered = {
      eventId,
      at: this.#now(),
      tail: JSON.stringify({ topic, event: record.envelope }).slice(1),
      districtId: audience.kind === 'world' ? audience.districtId : undefined,
      accounts: owners ? new Set(owners.values()) : undefined,
    };
    this.#window.push(entry);
    this.#window.expire(entry.at);
    this.#sent.inc({ kind: audience.kind });
    if (entry.accounts === undefined) {
      for (const connection of this.#connections) if (this.#visible(entry, connection)) connection.send(entry.tail);
      return;
    }
    for (const account of entry.accounts) {
      for (const connection of this.#byAccount.get(account) ?? []) connection.send(entry.tail);
    }
  }

  /** A session was ended: its sockets close. */
  endSession(sessionId: string): void {
    for (const connection of this.#connections) {
      if (connection.auth.sessionId === sessionId) connection.close('sessionRevoked');
    }
  }

  /** An account was banned: every socket of it closes. */
  endAccount(accountId: string): void {
    for (const connection of this.#byAccount.get(accountId.toLowerCase()) ?? []) {
      connection.close('accountBanned');
    }
  }

  /** Keep-alive round: pings every socket, cuts those that did not answer the previous ping. */
  ping(): void {
    for (const connection of this.#connections) connection.ping();
  }

  closeAll(): void {
    for (const connection of this.#connections) connection.close('shuttingDown');
  }

  #visible(entry: Delivered, connection: StreamConnection): boolean {
    if (entry.accounts) return entry.accounts.has(connection.auth.accountId.toLowerCase());
    return inDistricts(connection.districts, entry.districtId as string);
  }

  /** character id → owning account (lower case); characters without an owner, or whose lookup failed, are left out. */
  async #ownersOf(characterIds: string[], topic: string, eventId: string): Promise<Map<string, string>> {
    const owners = await Promise.all(
      characterIds.map(async (characterId) => {
        try {
          return [characterId, await this.#options.ownerOf(characterId)] as const;
        } catch (error) {
          this.#options.logger.warn(
            { err: error, topic, eventId, characterId },
            "stream: a character's owner is unknown; the event is not sent for it",
          );
          return [characterId, null] as const;
        }
      }),
    );
    return new Map(owners.flatMap(([id, owner]) => (owner ? [[id, owner.toLowerCase()] as const] : [])));
  }
}

function districtList(districts: ReadonlySet<string> | null): string[] | null {
  return districts ? [...districts] : null;
}
