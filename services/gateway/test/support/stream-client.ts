import { randomUUID } from 'node:crypto';
import type { Topic, TopicPayload } from '@necp/contracts';
import type { BusRecord, EventBus } from '@necp/platform';
import WebSocket from 'ws';

/** A server message of the stream: an event, or a control message. */
export interface StreamMessage {
  seq: number;
  topic?: string;
  event?: { eventId: string; payload: Record<string, unknown> };
  control?: string;
  [field: string]: unknown;
}

export interface StreamClient {
  socket: WebSocket;
  /** Every message received so far, in order. */
  messages: StreamMessage[];
  /** The events among them (not the control messages). */
  events(): StreamMessage[];
  /** Resolves with the first message (past or future) that matches. */
  waitFor(match: (message: StreamMessage) => boolean, timeoutMs?: number): Promise<StreamMessage>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Where the token rides: the subprotocol (default), the query, or the Authorization header. */
  via?: 'protocol' | 'query' | 'header';
  query?: Record<string, string>;
  socket?: WebSocket.ClientOptions;
}

function streamUrl(base: string, query: Record<string, string>): string {
  const url = new URL('/api/v1/stream', base.replace(/^http/, 'ws'));
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.toString();
}

/** Opens a socket; rejects with the HTTP status when the gateway refuses the upgrade. */
export async function connectStream(base: string, token: string, options: ConnectOptions = {}): Promise<StreamClient> {
  const via = options.via ?? 'protocol';
  const query = { ...options.query, ...(via === 'query' ? { access_token: token } : {}) };
  const protocols = via === 'protocol' ? ['necp.stream.v1', `bearer.${token}`] : ['necp.stream.v1'];
  const headers: Record<string, string> = via === 'header' ? { authorization: `Bearer ${token}` } : {};
  const socket = new WebSocket(streamUrl(base, query), protocols, { ...options.socket, headers });
  const messages: StreamMessage[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as StreamMessage);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk;
      });
      response.on('end', () =>
        reject(Object.assign(new Error(`HTTP ${response.statusCode}`), { status: response.statusCode, body })),
      );
    });
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    events: () => messages.filter((message) => message.topic !== undefined),
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching stream message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    async close() {
      socket.close();
      await closed;
    },
  };
}

/** Publishes one event on the bus as its producer's relay would; resolves with its event id. */
export async function publishEvent<T extends Topic>(
  bus: EventBus,
  topic: T,
  key: string,
  payload: TopicPayload<T>,
): Promise<string> {
  const eventId = randomUUID();
  const record: BusRecord = {
    topic,
    key,
    headers: {},
    envelope: {
      eventId,
      type: topic,
      occurredAt: new Date().toISOString(),
      producer: 'test',
      traceId: randomUUID().replaceAll('-', ''),
      key,
      payload,
    },
  };
  await bus.publish([record]);
  return eventId;
}

/** A `world.unrest.updates` payload for a district. */
export function unrestUpdate(districtId: string, recommendations: string[] = []): TopicPayload<'world.unrest.updates'> {
  return {
    impactId: randomUUID(),
    districtId,
    previousLevel: 40,
    newLevel: 42,
    delta: 2,
    tier: 'unrest',
    sourceType: 'combat',
    sourceId: randomUUID(),
    minor: false,
    recommendations,
  };
}
