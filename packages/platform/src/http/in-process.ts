import { IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../auth/claims.ts';
import type { ServiceName } from '../config.ts';

/** A service's HTTP entry point (Fastify's `routing`): what its server calls for each request. */
export type InProcessHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The services of this process that take requests without a network hop. In the all-in-one
 * process every service is here and the gateway hands requests to them directly; a service in a
 * process of its own finds no other service and is reached over HTTP.
 */
export interface InProcessServices {
  register(service: ServiceName, handler: InProcessHandler): void;
  unregister(service: ServiceName): void;
  handlerOf(service: ServiceName): InProcessHandler | undefined;
}

export function createInProcessServices(): InProcessServices {
  const handlers = new Map<ServiceName, InProcessHandler>();
  return {
    register: (service, handler) => handlers.set(service, handler),
    unregister: (service) => handlers.delete(service),
    handlerOf: (service) => handlers.get(service),
  };
}

/**
 * The caller the gateway verified (token signature, claims and deny-list) for a request it handed
 * on in this process. Only code in the process can set it: a request that came over a socket never
 * carries it, so the service verifies those itself.
 */
const vouchedCaller = Symbol('necp.vouchedCaller');
type VouchedRequest = IncomingMessage & { [vouchedCaller]?: AuthContext };

export function vouchedCallerOf(request: IncomingMessage, token: string): AuthContext | undefined {
  const vouched = (request as VouchedRequest)[vouchedCaller];
  return vouched?.token === token ? vouched : undefined;
}

/** A copy of `original` whose body is `body`: the gateway read the original's stream already. */
function replayedRequest(original: IncomingMessage, body: Buffer): IncomingMessage {
  const replayed = new IncomingMessage(original.socket);
  replayed.method = original.method;
  replayed.url = original.url;
  replayed.httpVersion = original.httpVersion;
  replayed.httpVersionMajor = original.httpVersionMajor;
  replayed.httpVersionMinor = original.httpVersionMinor;
  replayed.headers = { ...original.headers, 'content-length': String(body.length) };
  replayed.rawHeaders = original.rawHeaders;
  replayed.push(body);
  replayed.push(null);
  // As the HTTP parser marks a message it read to the end: an incomplete one destroys its socket when done.
  replayed.complete = true;
  return replayed;
}

export interface HandOff {
  /** Request headers to set or replace for the service (request id, trace context). */
  headers: Record<string, string>;
  /** The body, when the caller consumed the request's stream to read it. */
  body?: Buffer;
  /** The caller's verified identity, which the service then takes as is. */
  caller?: AuthContext | null;
  /** No answer within this time: `onTimeout` answers instead (the service's late answer is dropped). */
  timeoutMs: number;
  onTimeout(response: ServerResponse): void;
}

/**
 * Hands a request to a service of this process: the service reads the request and writes the
 * answer straight to the client's connection, with the response headers set so far (rate-limit
 * headers, CORS) kept unless the service sets the same ones.
 */
export function handOff(request: FastifyRequest, reply: FastifyReply, handler: InProcessHandler, options: HandOff) {
  reply.hijack();
  const response = reply.raw;
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) response.setHeader(name, typeof value === 'number' ? String(value) : value);
  }
  const incoming = options.body ? replayedRequest(request.raw, options.body) : request.raw;
  Object.assign(incoming.headers, options.headers);
  if (options.caller) (incoming as VouchedRequest)[vouchedCaller] = options.caller;
  const timer = setTimeout(() => {
    if (!response.headersSent) options.onTimeout(response);
  }, options.timeoutMs);
  response.once('close', () => clearTimeout(timer));
  handler(incoming, response);
}
