import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  ChannelChallengeHeader,
  ChannelUpgrade,
  CorkedWriter,
  channelProof,
  encodeFrame,
  encodeRequest,
  FrameKind,
  FrameReader,
} from '@necp/platform';
import type { Logger } from 'pino';
import { type ForwardedRequest, type Forwarding, requestHeaders } from './upstream-forwarder.ts';

export interface ServiceChannelOptions {
  /** The service's base address (`http://host:port`): the channel is an upgrade of a connection to it. */
  origin: string;
  /** EDGE_VOUCH_KEY: the gateway proves it holds it once per connection. */
  key: string;
  /** The answer's head, and each gap between its frames: each at most this long (else 504). */
  timeoutMs: number;
  /** A service that refused the channel (an older version) is asked again after this long. */
  refusedRetryMs?: number;
  /** A connection that failed is tried again after this long; requests go over HTTP meanwhile. */
  failedRetryMs?: number;
  logger: Logger;
}

/** The codes of the channel's failures, which the gateway's routing maps to 503 and 504 as it maps undici's. */
export const ChannelClosedCode = 'NECP_CHANNEL_CLOSED';
export const ChannelTimeoutCode = 'NECP_CHANNEL_TIMEOUT';

function channelError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

interface InFlight {
  response: ServerResponse;
  forwarding: Forwarding;
  timer: NodeJS.Timeout;
  headSent: boolean;
}

interface Open {
  socket: Socket;
  writer: CorkedWriter;
  streams: Map<number, InFlight>;
  /** The service said it is stopping: nothing more is sent on this connection. */
  goingAway: boolean;
}

/**
 * The gateway's side of its channel to one service (platform's channel-frames.ts): one connection,
 * requests and answers as frames, a turn's frames in one write. It forwards the requests whose body
 * is already whole (or none); while it is not connected (starting, reconnecting, a service of an
 * older version that does not offer it) `takes` answers false and the request goes over HTTP.
 */
export class ServiceChannel {
  readonly #options: ServiceChannelOptions;
  readonly #url: URL;
  #open: Open | undefined;
  #connecting = false;
  #retryAt = 0;
  #nextStream = 1;
  #closed = false;
  #idle: (() => void) | undefined;

  constructor(options: ServiceChannelOptions) {
    this.#options = options;
    this.#url = new URL(options.origin);
  }

  /** True when this request can go over the channel now; starts connecting when it is not connected. */
  takes(request: IncomingMessage, hasBody: boolean): boolean {
    const open = this.#open;
    if (open && !open.goingAway) return !hasBody || request.complete;
    if (!this.#connecting && !this.#closed && Date.now() >= this.#retryAt) this.#connect();
    return false;
  }

  forward(request: ForwardedRequest, response: ServerResponse, forwarding: Forwarding): void {
    const open = this.#open;
    if (!open || open.goingAway) {
      forwarding.onError(channelError('the channel is closed', ChannelClosedCode));
      return;
    }
    const stream = this.#nextStream;
    this.#nextStream = stream >= 0x7fffffff ? 1 : stream + 1;
    const body = request.body === undefined ? undefined : ((request.raw.read() as Buffer | null) ?? undefined);
    const inFlight: InFlight = { response, forwarding, timer: this.#timer(open, stream), headSent: false };
    open.streams.set(stream, inFlight);
    response.once('close', () => {
      if (!response.writableFinished) this.#finish(open, stream);
    });
    open.writer.write(
      encodeRequest(
        stream,
        {
          method: request.method,
          url: request.url,
          headers: requestHeaders(request.headers, this.#url.host, forwarding),
          answerHeaders: forwarding.answerHeaders(),
        },
        body,
      ),
    );
  }

  /** No new requests; resolves once the answers in flight are written (at most the timeout), the connection closed. */
  async close(): Promise<void> {
    this.#closed = true;
    const open = this.#open;
    if (!open) return;
    open.goingAway = true;
    if (open.streams.size > 0) {
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, this.#options.timeoutMs);
        this.#idle = () => {
          clearTimeout(deadline);
          resolve();
        };
      });
    }
    open.socket.destroy();
  }

  #timer(open: Open, stream: number): NodeJS.Timeout {
    return setTimeout(() => {
      const inFlight = open.streams.get(stream);
      if (!inFlight) return;
      this.#finish(open, stream);
      if (inFlight.headSent) inFlight.response.destroy();
      else
        inFlight.forwarding.onError(channelError(`no answer within ${this.#options.timeoutMs} ms`, ChannelTimeoutCode));
    }, this.#options.timeoutMs);
  }

  #finish(open: Open, stream: number): void {
    const inFlight = open.streams.get(stream);
    if (!inFlight) return;
    clearTimeout(inFlight.timer);
    open.streams.delete(stream);
    if (open.streams.size > 0) return;
    if (open.goingAway) open.socket.end();
    this.#idle?.();
  }

  #connect(): void {
    this.#connecting = true;
    const { logger } = this.#options;
    const retryAfter = (ms: number) => {
      this.#connecting = false;
      this.#retryAt = Date.now() + ms;
    };
    const upgrade = httpRequest({
      host: this.#url.hostname,
      port: this.#url.port,
      path: '/',
      headers: { connection: 'Upgrade', upgrade: ChannelUpgrade },
      timeout: this.#options.timeoutMs,
    });
    upgrade.on('upgrade', (answer: IncomingMessage, socket: Socket, head: Buffer) => {
      const challenge = answer.headers[ChannelChallengeHeader];
      if (typeof challenge !== 'string' || this.#closed) {
        socket.destroy();
        return retryAfter(this.#options.refusedRetryMs ?? 60_000);
      }
      this.#connecting = false;
      this.#opened(socket, head, challenge);
    });
    upgrade.on('response', (answer: IncomingMessage) => {
      // A service of a version without the channel answers the request: HTTP it is, for now.
      // (A 503 is a service that is stopping: its next start offers it again.)
      answer.resume();
      logger.info(
        { upstream: this.#url.origin, status: answer.statusCode },
        'no channel offered: forwarding over HTTP',
      );
      const stopping = answer.statusCode === 503;
      retryAfter(stopping ? (this.#options.failedRetryMs ?? 1_000) : (this.#options.refusedRetryMs ?? 60_000));
    });
    upgrade.on('timeout', () => upgrade.destroy(new Error('the channel upgrade timed out')));
    upgrade.on('error', () => retryAfter(this.#options.failedRetryMs ?? 1_000));
    upgrade.end();
  }

  #opened(socket: Socket, head: Buffer, challenge: string): void {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const open: Open = { socket, writer: new CorkedWriter(socket), streams: new Map(), goingAway: false };
    this.#open = open;
    open.writer.write(encodeFrame(0, FrameKind.proof, channelProof(this.#options.key, challenge)));
    const reader = new FrameReader((stream, kind, payload) => this.#onFrame(open, stream, kind, payload));
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        this.#options.logger.warn({ err: error, upstream: this.#url.origin }, 'a broken channel frame: connection cut');
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.#open === open) this.#open = undefined;
      // Only the requests of this connection fail; the next request connects again.
      for (const [stream, inFlight] of open.streams) {
        this.#finish(open, stream);
        if (inFlight.headSent) inFlight.response.destroy();
        else inFlight.forwarding.onError(channelError('the channel connection closed', ChannelClosedCode));
      }
      this.#retryAt = Date.now() + (this.#closed ? Number.POSITIVE_INFINITY : 0);
    });
    if (head.length > 0) socket.emit('data', head);
  }

  #onFrame(open: Open, stream: number, kind: number, payload: Buffer): void {
    if (kind === FrameKind.goAway) {
      open.goingAway = true;
      if (open.streams.size === 0) open.socket.end();
      return;
    }
    const inFlight = open.streams.get(stream);
    if (!inFlight) return;
    const { response } = inFlight;
    switch (kind) {
      case FrameKind.head: {
        const [status, ...flat] = JSON.parse(payload.toString()) as [number, ...(string | string[])[]];
        inFlight.headSent = true;
        inFlight.forwarding.onAnswer?.();
        response.writeHead(status, flat);
        break;
      }
      case FrameKind.data:
        response.write(payload);
        break;
      case FrameKind.end:
        this.#finish(open, stream);
        response.end();
        return;
      case FrameKind.reset:
        this.#finish(open, stream);
        if (inFlight.headSent) response.destroy();
        else inFlight.forwarding.onError(channelError('the service failed the request', 'NECP_CHANNEL_RESET'));
        return;
      default:
        return;
    }
    inFlight.timer.refresh();
  }
}
