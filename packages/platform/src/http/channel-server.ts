import { randomBytes } from 'node:crypto';
import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import {
  ChannelChallengeHeader,
  type ChannelRequestMeta,
  ChannelUpgrade,
  CorkedWriter,
  decodeRequest,
  encodeFrame,
  FrameKind,
  FrameReader,
  proofHolds,
} from './channel-frames.ts';
import type { InProcessHandler } from './in-process.ts';

/**
 * The service's side of the gateway's channel (channel-frames.ts), on its own HTTP port: an
 * `Upgrade: necp-channel` request turns the connection into a channel once the gateway signed the
 * service's challenge with EDGE_VOUCH_KEY (a connection that does not is cut). Each request frame is
 * handed to the service's Fastify `routing` as the all-in-one hands requests in (in-process.ts); its
 * answer's status, headers and body go back as frames. The channel vouches for no caller: a request
 * carries its bearer token and the gateway's edge vouch as over HTTP, so the service still verifies
 * the token's signature (remembered per token) and skips only the deny-list read. A holder of the key
 * (every service has it) can thus do on a channel only what it can do over HTTP with the header.
 */
export interface ChannelServer {
  /** Tells each gateway to send no more, waits for the answers in flight (at most `drainMs`), then closes. */
  close(drainMs: number): Promise<void>;
}

const DroppedAnswerHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/**
 * A request's stand-in socket: the ServerResponse writes its HTTP/1.1 bytes here; the status and
 * headers are taken from the response itself, and what follows the header block is the body.
 */
class AnswerSocket extends Duplex {
  remoteAddress: string;
  readonly #onBody: (chunk: Buffer) => void;
  #headerDone = false;

  constructor(remoteAddress: string, onBody: (chunk: Buffer) => void) {
    super();
    this.remoteAddress = remoteAddress;
    this.#onBody = onBody;
  }

  override _read(): void {}

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    if (!this.#headerDone) {
      const end = bytes.indexOf('\r\n\r\n');
      // Node writes the header block whole, in one write or at the start of one.
      if (end >= 0) {
        this.#headerDone = true;
        this.#take(bytes.subarray(end + 4));
      }
    } else {
      this.#take(bytes);
    }
    callback();
  }

  #take(bytes: Buffer): void {
    if (bytes.length > 0) this.#onBody(bytes);
  }

  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
}

function destroyAnswerSocket(socket: AnswerSocket): void {
  socket.destroy();
}

function answerHead(response: ServerResponse): Buffer {
  const flat: (string | number | string[])[] = [response.statusCode];
  const headers = response.getHeaders();
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || DroppedAnswerHeaders.has(name)) continue;
    flat.push(name, typeof value === 'number' ? String(value) : value);
  }
  return Buffer.from(JSON.stringify(flat));
}

interface Connection {
  socket: Socket;
  inFlight: number;
  drained?: () => void;
}

export function serveChannel(server: Server, routing: InProcessHandler, key: string, logger: Logger): ChannelServer {
  const connections = new Set<Connection>();
  let closing = false;

  // Node 24's hook for which requests are upgrades (not in @types/node yet).
  (server as Server & { shouldUpgradeCallback: (request: IncomingMessage) => boolean }).shouldUpgradeCallback =
    function shouldUpgrade(this: Server, request: IncomingMessage) {
      // Other upgrades keep the behaviour they had without this listener (a request, when none listens).
      return isChannelUpgrade(request) || this.listenerCount('upgrade') > 1;
    };
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (!isChannelUpgrade(request)) return;
    if (closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const challenge = randomBytes(24).toString('base64url');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: ${ChannelUpgrade}\r\nconnection: Upgrade\r\n${ChannelChallengeHeader}: ${challenge}\r\n\r\n`,
    );
    accept(socket, head, challenge, request.socket.remoteAddress ?? '');
  });

  function accept(socket: Socket, head: Buffer, challenge: string, remoteAddress: string): void {
    socket.setNoDelay(true);
    // A channel may stay idle for long: TCP keep-alive finds a peer that vanished.
    socket.setKeepAlive(true, 30_000);
    const connection: Connection = { socket, inFlight: 0 };
    connections.add(connection);
    const writer = new CorkedWriter(socket);
    let proven = false;
    const settle = () => {
      connection.inFlight -= 1;
      if (connection.inFlight === 0) connection.drained?.();
    };
    const reader = new FrameReader((stream, kind, payload) => {
      if (!proven) {
        if (kind !== FrameKind.proof || !proofHolds(key, challenge, payload)) {
          logger.warn({ remoteAddress }, 'a channel connection without the proof of the key: cut');
          socket.destroy();
          return;
        }
        proven = true;
        return;
      }
      if (kind !== FrameKind.request) return;
      connection.inFlight += 1;
      handle(stream, payload, writer, remoteAddress, settle);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        logger.warn({ err: error, remoteAddress }, 'a broken channel frame: connection cut');
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      connections.delete(connection);
      connection.drained?.();
    });
    if (head.length > 0) socket.emit('data', head);
  }

  function handle(stream: number, payload: Buffer, writer: CorkedWriter, peer: string, settle: () => void): void {
    let meta: ChannelRequestMeta;
    let body: Buffer;
    try {
      ({ meta, body } = decodeRequest(payload));
    } catch {
      writer.write(encodeFrame(stream, FrameKind.reset));
      settle();
      return;
    }
    // The peer is the gateway, as over HTTP (the caller's address is in X-Forwarded-For).
    const socket = new AnswerSocket(peer, (chunk) => writer.write(encodeFrame(stream, FrameKind.data, chunk)));
    const request = new IncomingMessage(socket as unknown as Socket);
    request.method = meta.method;
    request.url = meta.url;
    request.httpVersion = '1.1';
    request.httpVersionMajor = 1;
    request.httpVersionMinor = 1;
    const headers = meta.headers;
    if (body.length > 0) headers['content-length'] = String(body.length);
    request.headers = headers as IncomingMessage['headers'];
    request.rawHeaders = [];
    if (body.length > 0) request.push(body);
    request.push(null);
    request.complete = true;

    const response = new ServerResponse(request);
    // The body goes back as it is written: no chunked framing, and the channel, not HTTP, says where it ends.
    response.useChunkedEncodingByDefault = false;
    response.shouldKeepAlive = false;
    response.sendDate = false;
    response.assignSocket(socket as unknown as Socket);
    // With one header set before `writeHead`, Node keeps every header in `getHeaders()`, which the head reads.
    response.setHeader('x-necp-channel', '1');
    response.removeHeader('x-necp-channel');
    for (const name in meta.answerHeaders) {
      const value = meta.answerHeaders[name];
      if (value !== undefined && value !== null) response.setHeader(name, value);
    }
    let headSent = false;
    const sendHead = () => {
      if (headSent) return;
      headSent = true;
      writer.write(encodeFrame(stream, FrameKind.head, answerHead(response)));
    };
    // The head goes before the first body byte: Node writes the header block first.
    const write = socket.write.bind(socket);
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      sendHead();
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof socket.write;
    response.once('finish', () => {
      sendHead();
      writer.write(encodeFrame(stream, FrameKind.end));
      settle();
      // A tick later: 'finish' comes from inside the stand-in socket's write callback, and a socket
      // destroyed there makes Node build an ERR_STREAM_DESTROYED, stack and all, for that write
      // (measured: a third of the CPU of an answer's stand-ins, 5% of character-service's per sheet read).
      process.nextTick(destroyAnswerSocket, socket);
    });
    response.once('close', () => {
      if (response.writableFinished) return;
      writer.write(encodeFrame(stream, FrameKind.reset));
      settle();
    });
    routing(request, response);
  }

  return {
    async close(drainMs) {
      closing = true;
      const goAway = encodeFrame(0, FrameKind.goAway);
      await Promise.all(
        [...connections].map(
          (connection) =>
            new Promise<void>((resolve) => {
              connection.socket.write(goAway);
              const done = () => {
                clearTimeout(deadline);
                connection.socket.end();
                resolve();
              };
              const deadline = setTimeout(done, drainMs);
              if (connection.inFlight === 0) done();
              else connection.drained = done;
            }),
        ),
      );
    },
  };
}

function isChannelUpgrade(request: IncomingMessage): boolean {
  return request.headers.upgrade?.toLowerCase() === ChannelUpgrade;
}
