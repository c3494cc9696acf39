import type { Writable } from 'node:stream';
import type { AuthContext } from '@necp/platform';
import type { WebSocket } from 'ws';
import { StreamClose } from '../domain/stream-audience.ts';

/** Why the gateway ended a socket: one of the stream's close reasons, or a ping left unanswered. */
export type EndedBecause = keyof typeof StreamClose | 'unansweredPing';

export interface ConnectionOptions {
  sendBufferMaxBytes: number;
  closeGraceMs: number;
  /** Told each time the gateway ends a socket (its metrics). */
  ended(because: EndedBecause): void;
  /** Told when a socket starts holding writes back: the caller flushes it once the current burst is sent. */
  corked(connection: StreamConnection): void;
}

/** What a socket holds back in one burst at most before it writes anyway (a few events' worth). */
const BURST_MAX_BYTES = 16_384;
/** Frames of the stream are text: `ws` sends a Buffer as binary unless told. */
const TEXT = { binary: false } as const;

/** `{"seq":<seq>,` and the rest of the message: one copy of bytes already encoded, no JSON work per socket. */
function withSeq(seq: number, tail: Buffer): Buffer {
  const head = `{"seq":${seq},`;
  const message = Buffer.allocUnsafe(head.length + tail.length);
  message.write(head, 0, 'latin1');
  tail.copy(message, head.length);
  return message;
}

/**
 * One client's socket: its caller, its district subscription, its sequence numbers, and the bound
 * on what may wait in its send buffer. Every message it sends carries the next sequence number.
 *
 * Writes are held back (the TCP socket under the WebSocket corked) until the caller flushes, once
 * the burst of events at hand has been handed to every socket: several events arriving together
 * (a Kafka fetch of them) then cost a socket one system call, not one each.
 */
export class StreamConnection {
  readonly auth: AuthContext;
  /** The caller's account, lower case. */
  readonly account: string;
  readonly #socket: WebSocket;
  /** The TCP socket the WebSocket writes its frames to. */
  readonly #wire: Writable;
  readonly #options: ConnectionOptions;
  /** Null: every district. */
  districts: ReadonlySet<string> | null;
  #seq = 0;
  /** Bytes sent since the socket was corked (0: not corked). */
  #heldBack = 0;
  /** Whether the socket answered the last ping. */
  #alive = true;
  #closing = false;
  #expiry: NodeJS.Timeout | undefined;

  constructor(
    socket: WebSocket,
    wire: Writable,
    auth: AuthContext,
    districts: ReadonlySet<string> | null,
    options: ConnectionOptions,
  ) {
    this.#socket = socket;
    this.#wire = wire;
    this.auth = auth;
    this.account = auth.accountId.toLowerCase();
    this.districts = districts;
    this.#options = options;
    socket.on('pong', () => {
      this.#alive = true;
    });
    // The token's life is the connection's: a client reconnects with a fresh token, as it would call.
    const remaining = auth.expiresAt.getTime() - Date.now();
    this.#expiry = setTimeout(() => this.close('tokenExpired'), Math.max(0, remaining));
    this.#expiry.unref();
  }

  get open(): boolean {
    return !this.#closing && this.#socket.readyState === this.#socket.OPEN;
  }

  /**
   * Sends `{seq, ...}` where `tail` is the rest of the JSON object (`"topic":…,"event":…}`, UTF-8),
   * so a broadcast serializes and encodes its event once for every socket. A socket whose unsent
   * bytes (before this burst's) have passed the bound is closed instead: a client that stops
   * reading must not grow the gateway's memory. `bufferedAmount` is two fields read, not a walk.
   */
  send(tail: Buffer): void {
    if (!this.open) return;
    if (this.#socket.bufferedAmount - this.#heldBack > this.#options.sendBufferMaxBytes) {
      this.close('slowClient');
      return;
    }
    if (this.#heldBack === 0) {
      this.#wire.cork();
      this.#options.corked(this);
    }
    this.#seq += 1;
    const message = withSeq(this.#seq, tail);
    this.#socket.send(message, TEXT);
    this.#heldBack += message.length;
    if (this.#heldBack >= BURST_MAX_BYTES) this.flush();
  }

  /** Writes what this burst held back. */
  flush(): void {
    if (this.#heldBack === 0) return;
    this.#heldBack = 0;
    this.#wire.uncork();
  }

  /** A control message (`{seq, control, …}`). */
  control(control: string, fields: Record<string, unknown> = {}): void {
    this.send(Buffer.from(JSON.stringify({ control, ...fields }).slice(1)));
  }

  /** Keep-alive: false when the previous ping went unanswered (the caller cuts the socket). */
  ping(): boolean {
    if (!this.#alive) {
      this.#options.ended('unansweredPing');
      this.#socket.terminate();
      return false;
    }
    this.#alive = false;
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.ping();
    return true;
  }

  /**
   * Closes with a code and reason the client can act on. The close frame waits behind what is
   * buffered; a client that does not complete the handshake in time is cut.
   */
  close(because: keyof typeof StreamClose): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#options.ended(because);
    const { code, reason } = StreamClose[because];
    clearTimeout(this.#expiry);
    this.#socket.close(code, reason);
    const cut = setTimeout(() => this.#socket.terminate(), this.#options.closeGraceMs);
    cut.unref();
    this.#socket.once('close', () => clearTimeout(cut));
  }

  /** The socket closed (either side): its timers go with it. */
  released(): void {
    this.#closing = true;
    clearTimeout(this.#expiry);
  }
}
