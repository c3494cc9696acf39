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
}

/**
 * One client's socket: its caller, its district subscription, its sequence numbers, and the bound
 * on what may wait in its send buffer. Every message it sends carries the next sequence number.
 */
export class StreamConnection {
  readonly auth: AuthContext;
  readonly #socket: WebSocket;
  readonly #options: ConnectionOptions;
  /** Null: every district. */
  districts: ReadonlySet<string> | null;
  #seq = 0;
  /** Whether the socket answered the last ping. */
  #alive = true;
  #closing = false;
  #expiry: NodeJS.Timeout | undefined;

  constructor(socket: WebSocket, auth: AuthContext, districts: ReadonlySet<string> | null, options: ConnectionOptions) {
    this.#socket = socket;
    this.auth = auth;
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
   * Sends `{seq, ...}` where `tail` is the rest of the JSON object (`"topic":…,"event":…}`), so a
   * broadcast serializes its event once for every socket. A socket whose unsent bytes have passed
   * the bound is closed instead: a client that stops reading must not grow the gateway's memory.
   */
  send(tail: string): void {
    if (!this.open) return;
    if (this.#socket.bufferedAmount > this.#options.sendBufferMaxBytes) {
      this.close('slowClient');
      return;
    }
    this.#seq += 1;
    this.#socket.send(`{"seq":${this.#seq},${tail}`);
  }

  /** A control message (`{seq, control, …}`). */
  control(control: string, fields: Record<string, unknown> = {}): void {
    this.send(JSON.stringify({ control, ...fields }).slice(1));
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
