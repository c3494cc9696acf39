import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { TraceContext } from '../trace-context.ts';
import type { HttpApp } from './http-app.ts';

/**
 * A request's span and RED metrics, begun for a request answered in front of Fastify: the same
 * span, answer headers (`x-request-id`, `traceparent`) and `http_requests_total` /
 * `http_request_duration_seconds` as every request Fastify answers (http-service.ts).
 */
export interface FrontDoorRequest {
  requestId: string;
  trace: TraceContext;
  /** The headers every answer carries: the request id and the trace context. */
  answerHeaders: Record<string, string>;
  /** Records the answer's status in the span and the metrics; once, when the answer is over. */
  end(status: number): void;
}

/** What the platform lends a front door: its request telemetry, and whether it is shutting down. */
export interface FrontDoorFacilities {
  /** True once `close` began: every request then goes to Fastify, which answers 503. */
  closing(): boolean;
  /** `startedAt`: `performance.now()` when the request arrived, which its duration counts from. */
  begin(method: string, route: string, headers: IncomingHttpHeaders, startedAt: number): FrontDoorRequest;
}

/**
 * A request listener in front of Fastify: it answers the requests it takes itself and hands every
 * other to `fastify` (at once, or after an `await`, as long as it answered nothing).
 */
export type FrontDoor = (
  request: IncomingMessage,
  response: ServerResponse,
  fastify: () => void,
  facilities: FrontDoorFacilities,
) => void;

/** By server: a plugin's encapsulated app is another object over the same server. */
const facilitiesOf = new WeakMap<object, FrontDoorFacilities>();

/** Called by `createHttpService` for each app it makes. */
export function lendFrontDoorFacilities(app: HttpApp, facilities: FrontDoorFacilities): void {
  facilitiesOf.set(app.server, facilities);
}

/**
 * Puts `door` in front of the app's Fastify handler: the gateway's proxied requests skip Fastify's
 * routing, hooks, reply and serialization (a fifth of its CPU per forwarded request, measured).
 */
export function installFrontDoor(app: HttpApp, door: FrontDoor): void {
  const facilities = facilitiesOf.get(app.server);
  const [fastifyHandler, ...others] = app.server.listeners('request') as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[];
  if (!facilities || !fastifyHandler || others.length > 0) {
    throw new Error('installFrontDoor needs an app of createHttpService with its one request listener');
  }
  app.server.removeListener('request', fastifyHandler);
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    door(request, response, () => fastifyHandler(request, response), facilities);
  });
}
