import type { Writable } from 'node:stream';
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

/** An event as delivered: who may see it, and its JSON after the sequence number (UTF-8). */
interface Delivered extends Remembered {
  tail: Buffer;
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
 *
 * The audiences are indexes kept as sockets come, subscribe and go (every district's, each
 * district's, each account's), so a fan-out only walks the sockets it sends to, and decides
 * nothing per socket. The sockets written to in one burst (what is delivered before the event
 * loop moves on: a Kafka fetch of events) are flushed together at its end.
 */
export class StreamHub {
  readonly #options: StreamHubOptions;
  readonly #now: () => number;
  readonly #connections = new Set<StreamConnection>();
  readonly #byAccount = new Map<string, Set<StreamConnection>>();
  /** The sockets receiving the world events of every district. */
  readonly #everywhere = new Set<StreamConnection>();
  /** The sockets subscribed to a district's world events, by district. */
  readonly #byDistrict = new Map<string, Set<StreamConnection>>();
  /** Sockets holding writes back until the current burst ends. */
  #corked: StreamConnection[] = [];
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
      corked: (connection) => {
        if (this.#corked.length === 0) process.nextTick(this.#flush);
        this.#corked.push(connection);
      },
    };
  }

  get size(): number {
    return this.#connections.size;
  }

  /**
   * Takes an upgraded socket (and the TCP socket it writes to): greets it (with what it missed,
   * when it asked), then streams to it.
   */
  attach(socket: WebSocket, wire: Writable, auth: AuthContext, request: StreamRequest): StreamConnection {
    const connection = new StreamConnection(socket, wire, auth, request.districts, this.#connectionOptions);
    const { account } = connection;
    this.#connections.add(connection);
    addTo(this.#byAccount, account, connection);
    this.#place(connection);
    socket.once('close', () => {
      connection.released();
      this.#connections.delete(connection);
      removeFrom(this.#byAccount, account, connection);
      this.#unplace(connection);
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
    this.#unplace(connection);
    connection.districts = districts;
    this.#place(connection);
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
      tail: Buffer.from(JSON.stringify({ topic, event: record.envelope }).slice(1)),
      districtId: audience.kind === 'world' ? audience.districtId : undefined,
      accounts: owners ? new Set(owners.values()) : undefined,
    };
    this.#window.push(entry);
    this.#window.expire(entry.at);
    this.#sent.inc({ kind: audience.kind });
    if (entry.accounts === undefined) {
      for (const connection of this.#everywhere) connection.send(entry.tail);
      for (const connection of this.#byDistrict.get(entry.districtId as string) ?? []) connection.send(entry.tail);
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
    if (entry.accounts) return entry.accounts.has(connection.account);
    return inDistricts(connection.districts, entry.districtId as string);
  }

  /** Indexes a socket under the districts whose world events it receives. */
  #place(connection: StreamConnection): void {
    if (connection.districts === null) this.#everywhere.add(connection);
    else for (const district of connection.districts) addTo(this.#byDistrict, district, connection);
  }

  #unplace(connection: StreamConnection): void {
    if (connection.districts === null) this.#everywhere.delete(connection);
    else for (const district of connection.districts) removeFrom(this.#byDistrict, district, connection);
  }

  /** The burst is over: every socket written to in it writes what it held back. */
  readonly #flush = (): void => {
    const corked = this.#corked;
    this.#corked = [];
    for (const connection of corked) connection.flush();
  };

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

function addTo<K>(index: Map<K, Set<StreamConnection>>, key: K, connection: StreamConnection): void {
  const set = index.get(key);
  if (set) set.add(connection);
  else index.set(key, new Set([connection]));
}

function removeFrom<K>(index: Map<K, Set<StreamConnection>>, key: K, connection: StreamConnection): void {
  const set = index.get(key);
  set?.delete(connection);
  if (set?.size === 0) index.delete(key);
}

function districtList(districts: ReadonlySet<string> | null): string[] | null {
  return districts ? [...districts] : null;
}
