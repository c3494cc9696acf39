import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so neither the client's nor
 * the service's cross the gateway. undici also refuses most of them in a request.
 */
const HopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface UpstreamOptions {
  /** The service's base address (`http://host:port`). */
  origin: string;
  /** Keep-alive connections kept open to the service. */
  connections: number;
  /** Connecting, the answer's headers, and each gap between its body's chunks: each at most this long. */
  timeoutMs: number;
}

/** Headers as Fastify's `reply.getHeaders()` gives them. */
export type AnswerHeaders = Record<string, string | number | string[] | undefined>;

export interface Forwarding {
  /** What the gateway adds to the client's headers, or replaces in them. */
  headers: Record<string, string>;
  /** Client headers that never reach the service. */
  dropped: ReadonlySet<string>;
  /** The headers the gateway set for the answer (rate limits, CORS, request id), read when it starts. */
  answerHeaders(): AnswerHeaders;
  /** The service's answer starts: from here on the forwarder writes it (Fastify's reply is hijacked). */
  onAnswer?(): void;
  /** The request failed before any answer was written: the gateway answers in its place. */
  onError(error: Error): void;
}

/**
 * The client's request as the forwarder reads it: a Fastify request, or the node one (the proxied
 * requests the gateway's front door takes). `body` is what the proxy passes on: the unread stream
 * (`raw` itself), a buffer the edge read, or nothing.
 */
export interface ForwardedRequest {
  url: string;
  method: string;
  headers: IncomingHttpHeaders;
  raw: IncomingMessage;
  body: unknown;
}

/** The names a `Connection` header lists: they are hop-by-hop too (RFC 9110 §7.6.1). */
function connectionListed(value: string | string[] | undefined): string[] {
  if (typeof value !== 'string') return [];
  return value
    .toLowerCase()
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/** The client's headers as the service gets them: less the hop-by-hop and dropped ones, plus the gateway's. */
export function requestHeaders(incoming: IncomingHttpHeaders, host: string, forwarding: Forwarding) {
  const listed = connectionListed(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HopByHop.has(name) || forwarding.dropped.has(name)) continue;
    if (listed.length > 0 && listed.includes(name)) continue;
    headers[name] = value;
  }
  headers.host = host;
  Object.assign(headers, forwarding.headers);
  return headers;
}

/**
 * The answer's headers as one flat list (`name, value, …`), which Node's `writeHead` takes as it is:
 * the headers the gateway set already (rate limits, CORS, request id) unless the service sets the
 * same ones, then the service's, less its hop-by-hop ones.
 */
function answerHeaders(
  own: AnswerHeaders,
  upstream: IncomingHttpHeaders,
  requestComplete: boolean,
): (string | string[])[] {
  const flat: (string | string[])[] = [];
  for (const name in own) {
    const value = own[name];
    if (value === undefined || upstream[name] !== undefined) continue;
    flat.push(name, typeof value === 'number' ? String(value) : value);
  }
  for (const name in upstream) {
    const value = upstream[name];
    if (value !== undefined && !HopByHop.has(name)) flat.push(name, value);
  }
  // An HTTP/1 connection cannot carry the next request until this one's body was read.
  if (!requestComplete) flat.push('connection', 'close');
  return flat;
}

/**
 * The body as the proxy took it: a stream the content-type parsers passed on unread, or nothing. A
 * client's request that arrived whole (as a small JSON body does, in the packet of its headers) is
 * all in the stream's buffer already: taken as one buffer, it goes out with the request's headers in
 * one write, without a stream pumped chunk by chunk.
 */
function requestBody(request: ForwardedRequest): Dispatcher.DispatchOptions['body'] {
  if (request.method === 'GET' || request.method === 'HEAD') return null;
  const body = request.body;
  if (body === undefined || body === null) return null;
  if (body === request.raw && request.raw.complete && request.raw.readableLength > 0) {
    return (request.raw.read() as Buffer | null) ?? null;
  }
  if (body instanceof Readable || Buffer.isBuffer(body) || typeof body === 'string') return body;
  return JSON.stringify(body);
}

/**
 * The gateway's forwarder to one service: a keep-alive pool (undici) and a request written to the
 * client's connection as it arrives, status, headers and body bytes unchanged, with no stream
 * objects, header copies or hooks per request beyond these (what @fastify/http-proxy spent a
 * third of the gateway's CPU on). The answer keeps the headers the gateway set already (rate
 * limits, CORS, request id) unless the service sets the same ones.
 */
export class UpstreamForwarder {
  readonly #pool: Pool;
  readonly #host: string;
  readonly #timeoutMs: number;

  constructor(options: UpstreamOptions) {
    const url = new URL(options.origin);
    this.#host = url.host;
    this.#timeoutMs = options.timeoutMs;
    this.#pool = new Pool(url.origin, {
      connections: options.connections,
      connectTimeout: options.timeoutMs,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  forward(request: ForwardedRequest, response: ServerResponse, forwarding: Forwarding): void {
    let controller: Dispatcher.DispatchController | undefined;
    /**
     * A client that went away (before the request was sent, or while its answer arrives) takes the
     * request with it: the connection to the service is cut rather than left with an answer half
     * read (a reader paused for a client that will never drain, which undici cannot finish).
     */
    const clientGone = () => response.destroyed;
    /**
     * Whether a slow client may pause the reading of the answer. Not when the service closes the
     * connection after it: undici cannot finish a paused answer whose connection ended (an assertion
     * that stops the process), so such an answer is held in memory instead.
     */
    let mayPause = true;
    const abandon = (current: Dispatcher.DispatchController | undefined) => {
      if (current && !current.aborted) current.abort(new Error('the client closed the connection'));
    };
    const onClose = () => {
      if (!response.writableFinished) abandon(controller);
    };
    response.once('close', onClose);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (clientGone()) abandon(started);
      },
      onResponseStart(current, statusCode, headers) {
        if (statusCode < 200) return;
        if (clientGone()) return abandon(current);
        mayPause = !/\bclose\b/i.test(String(headers.connection ?? ''));
        forwarding.onAnswer?.();
        response.writeHead(statusCode, answerHeaders(forwarding.answerHeaders(), headers, request.raw.complete));
      },
      onResponseData(current, chunk) {
        if (clientGone()) return abandon(current);
        // A slow client: the service's answer waits in the socket (for at most the body timeout) until it drains.
        if (!response.write(chunk) && mayPause) {
          current.pause();
          response.once('drain', () => current.resume());
        }
      },
      onResponseEnd() {
        response.removeListener('close', onClose);
        response.end();
      },
      onResponseError(_controller, error) {
        response.removeListener('close', onClose);
        if (response.headersSent) response.destroy(error);
        else if (!response.destroyed) forwarding.onError(error);
      },
    };
    try {
      this.#pool.dispatch(
        {
          path: request.url,
          method: request.method as Dispatcher.HttpMethod,
          headers: requestHeaders(request.headers, this.#host, forwarding),
          body: requestBody(request),
          headersTimeout: this.#timeoutMs,
          bodyTimeout: this.#timeoutMs,
        },
        handler,
      );
    } catch (error) {
      forwarding.onError(error as Error);
    }
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
