import type { Topic, TopicPayload } from '@necp/contracts';
import type { Session } from './session.ts';

/** An event as the stream delivers it: the bus envelope (shared/API.md §9) with its typed payload. */
export interface StreamEvent<T extends Topic = Topic> {
  eventId: string;
  type: string;
  occurredAt: string;
  key: string;
  payload: TopicPayload<T>;
}

/** A control message of the stream: `ready` first (with what a reconnect replayed), then `subscribed` or `error`. */
export interface StreamControl {
  seq: number;
  control: 'ready' | 'subscribed' | 'error';
  replay?: 'none' | 'complete' | 'gap';
  [detail: string]: unknown;
}

export interface StreamOptions {
  /** World updates of these districts only; every district when absent. */
  districts?: readonly string[];
  /** Resume after this event (the `lastEventId` of an earlier stream): what came after it is replayed first. */
  since?: string;
  onEvent(topic: Topic, event: StreamEvent, seq: number): void;
  onControl?(message: StreamControl): void;
  /** The events missed while away are gone from the gateway's window: reload state over REST. */
  onGap?(): void;
  /** The stream ended for good: signed out, banned, or closed by `close()`. */
  onClosed?(code: number, reason: string): void;
  /** A WebSocket constructor (the global one of browsers and Node 24 by default). */
  WebSocket?: typeof WebSocket;
}

export interface StreamHandle {
  /** The last event seen: a reconnect resumes after it. */
  readonly lastEventId: string | undefined;
  subscribe(districts: readonly string[] | null): void;
  close(): void;
}

const Protocol = 'necp.stream.v1';
/** Close codes of the gateway (README, Realtime) after which the stream reconnects by itself. */
const TokenExpired = 4001;
const Reconnectable = new Set([1001, 1006, 4008]);
const Ended = new Set([4002, 4003]);
const RetryDelayMs = 1000;

/**
 * The gateway's realtime stream (`/api/v1/stream`) for the session's account. The token rides in the
 * subprotocol; an expired token is refreshed and the stream resumes after the last event it saw, as it
 * does after a dropped connection or a restarting gateway.
 */
export function openStream(baseUrl: string, session: Session, options: StreamOptions): StreamHandle {
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  let lastEventId = options.since;
  let districts = options.districts;
  let socket: WebSocket | undefined;
  let closedByUs = false;

  const connect = () => {
    const token = session.tokens?.accessToken;
    if (!token) throw new Error('sign in before opening the stream');
    const url = new URL('/api/v1/stream', baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (lastEventId) url.searchParams.set('since', lastEventId);
    if (districts) url.searchParams.set('districts', districts.join(','));
    const current = new Socket(url, [Protocol, `bearer.${token}`]);
    socket = current;
    current.onmessage = ({ data }) => {
      const message = JSON.parse(String(data)) as { seq: number; topic?: Topic; event?: StreamEvent } & StreamControl;
      if (message.topic && message.event) {
        lastEventId = message.event.eventId;
        options.onEvent(message.topic, message.event, message.seq);
        return;
      }
      if (message.control === 'ready' && message.replay === 'gap') options.onGap?.();
      options.onControl?.(message);
    };
    current.onclose = ({ code, reason }) => {
      if (socket !== current) return;
      if (closedByUs || Ended.has(code)) {
        options.onClosed?.(code, reason);
      } else if (code === TokenExpired) {
        session.refresh().then(connect, () => options.onClosed?.(code, reason));
      } else if (Reconnectable.has(code)) {
        setTimeout(connect, RetryDelayMs);
      } else {
        options.onClosed?.(code, reason);
      }
    };
  };
  connect();

  return {
    get lastEventId() {
      return lastEventId;
    },
    subscribe(next) {
      districts = next ?? undefined;
      socket?.send(JSON.stringify({ type: 'subscribe', districts: next }));
    },
    close() {
      closedByUs = true;
      socket?.close(1000, 'closed by the client');
    },
  };
}
