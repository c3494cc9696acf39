import {
  buildProblem,
  currentTrace,
  type EdgeVouch,
  EdgeVouchHeader,
  edgeVouchFor,
  formatTraceparent,
  type HttpApp,
  handOff,
  type InProcessHandler,
  PROBLEM_CONTENT_TYPE,
  type ServiceName,
  serviceUrl,
} from '@necp/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { classifyUpstreamError, type UpstreamFailure, upstreamPrefixes } from '../domain/routing.ts';
import type { GatewayDeps } from '../settings.ts';
import { bufferedBody } from './buffered-bodies.ts';
import { type ProxiedPrefix, proxiedFrontDoor } from './proxied-front-door.ts';
import { ServiceChannel } from './service-channel.ts';
import { UpstreamForwarder } from './upstream-forwarder.ts';

const ForwardedMethods = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS', 'TRACE'];

/**
 * What the gateway adds to every request it forwards. X-Forwarded-For is replaced, not appended
 * to: the gateway is the edge, so the address it took the request from is the caller's, and a
 * client's own header must not name someone else to the services (auth-service's lockout counts by it).
 * A caller the gateway verified is vouched for (EDGE_VOUCH_KEY), so the service skips its own
 * deny-list check.
 */
function forwardedHeaders(request: FastifyRequest, vouch: EdgeVouch | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': request.id, 'x-forwarded-for': request.ip };
  const trace = currentTrace();
  if (trace) headers.traceparent = formatTraceparent(trace);
  if (vouch && request.auth) headers[EdgeVouchHeader] = vouch.sign(request.auth.token);
  return headers;
}

/** A client's own vouch header never reaches a service. */
const DroppedHeaders: ReadonlySet<string> = new Set([EdgeVouchHeader]);

function upstreamProblem(
  failure: UpstreamFailure,
  service: ServiceName,
  timeoutMs: number,
  traceId = currentTrace()?.traceId ?? '0'.repeat(32),
) {
  return buildProblem(
    failure.code,
    failure.status === 504 ? `${service} did not answer within ${timeoutMs} ms` : `${service} is unavailable`,
    traceId,
    { status: failure.status, extensions: { service } },
  );
}

/**
 * Forwards each prefix to its service with the request id and trace context; never hangs. A
 * service running in the gateway's process (the all-in-one) gets the request handed to it with the
 * caller the gateway verified; any other is reached over HTTP.
 */
export async function proxyRoutes(app: HttpApp, deps: GatewayDeps): Promise<void> {
  const { context, settings } = deps;
  const timeoutMs = context.config.UPSTREAM_TIMEOUT_MS;
  const inProcess = settings.GATEWAY_UPSTREAM_TRANSPORT === 'auto';
  const vouch = edgeVouchFor(context.config);
  // Fastify reads text/plain bodies itself before any handler runs; a request handed to a service
  // in this process would then arrive with its stream spent (and wait until the 504). The gateway
  // leaves every body unread, as the HTTP proxy does for the other types, for the service to read.
  app.addContentTypeParser('text/plain', (_request, body, done) => done(null, body));
  // Each service documents its own routes (`/docs/specs/<service>.json`); the catch-all routes that
  // forward them stay out of the gateway's document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  // TRACE too, so that the service answers it (405 with its `Allow`) as it answers any method it does not take.
  if (!app.supportedMethods.includes('TRACE')) app.addHttpMethod('TRACE');
  const proxied: ProxiedPrefix[] = [];
  for (const { prefix, service } of upstreamPrefixes) {
    const upstream = serviceUrl(context.config, service);
    const handToService = (request: FastifyRequest, reply: FastifyReply, handler: InProcessHandler) => {
      handOff(request, reply, handler, {
        headers: forwardedHeaders(request, undefined),
        body: bufferedBody(request),
        caller: request.auth,
        timeoutMs,
        onTimeout(response) {
          const failure: UpstreamFailure = { status: 504, code: 'UPSTREAM_TIMEOUT' };
          response.writeHead(failure.status, { 'content-type': PROBLEM_CONTENT_TYPE });
          response.end(JSON.stringify(upstreamProblem(failure, service, timeoutMs)));
        },
      });
    };
    const forwarder = new UpstreamForwarder({ origin: upstream, connections: 128, timeoutMs });
    const key = context.config.EDGE_VOUCH_KEY;
    const channel =
      key && settings.GATEWAY_SERVICE_CHANNEL === 'on'
        ? new ServiceChannel({ origin: upstream, key, timeoutMs, logger: context.logger })
        : undefined;
    app.addHook('onClose', () => Promise.all([forwarder.close(), channel?.close()]));
    /** The answer when the service failed before answering (logged): 502, 503 or 504. */
    const failureOf = (error: Error, traceId?: string) => {
      const failure = classifyUpstreamError(error);
      context.logger.warn({ service, upstream, err: error }, 'upstream failed');
      return { status: failure.status, problem: upstreamProblem(failure, service, timeoutMs, traceId) };
    };
    /** The service runs in this process (the all-in-one): requests are handed to it, not forwarded. */
    const handlerHere = () => (inProcess ? context.inProcess.handlerOf(service) : undefined);
    proxied.push({
      prefix,
      service,
      forwarder,
      channel,
      overHttp: () => handlerHere() === undefined,
      failureAnswer(error, traceId) {
        const { status, problem } = failureOf(error, traceId);
        return { status, body: JSON.stringify(problem) };
      },
    });
    const forward = (request: FastifyRequest, reply: FastifyReply) => {
      forwarder.forward(request, reply.raw, {
        headers: forwardedHeaders(request, vouch),
        dropped: DroppedHeaders,
        answerHeaders: () => reply.getHeaders(),
        onAnswer: () => reply.hijack(),
        onError(error) {
          const { status, problem } = failureOf(error);
          reply.code(status).type(PROBLEM_CONTENT_TYPE).send(problem);
        },
      });
    };
    /** The service's handler when it runs in this process (the all-in-one); over HTTP otherwise. */
    const route = (request: FastifyRequest, reply: FastifyReply) => {
      const handler = handlerHere();
      if (handler) handToService(request, reply, handler);
      else forward(request, reply);
    };
    await app.register(
      async (scope) => {
        // Bodies stay unread streams, forwarded byte for byte (the edge may buffer one to read a rule's key).
        scope.addContentTypeParser('application/json', (_request, body, done) => done(null, body));
        scope.addContentTypeParser('*', (_request, body, done) => done(null, body));
        for (const url of ['/', '/*']) {
          scope.route({ method: ForwardedMethods, url, handler: route });
        }
      },
      { prefix },
    );
  }
  proxiedFrontDoor(app, deps, proxied);
}
