import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  bearerTokenIn,
  EdgeVouchHeader,
  edgeVouchFor,
  type FrontDoorFacilities,
  type HttpApp,
  installFrontDoor,
  runWithTrace,
  type ServiceName,
} from '@necp/platform';
import { isOpenPath } from '../domain/access-rules.ts';
import type { GatewayDeps } from '../settings.ts';
import { pathOf } from './security.ts';
import type { ServiceChannel } from './service-channel.ts';
import type { UpstreamForwarder } from './upstream-forwarder.ts';

/** A prefix the gateway forwards over HTTP, and what the proxy does when a service fails. */
export interface ProxiedPrefix {
  prefix: string;
  service: ServiceName;
  forwarder: UpstreamForwarder;
  /** The multiplexed channel to the service (GATEWAY_SERVICE_CHANNEL), when it has one. */
  channel: ServiceChannel | undefined;
  /** False when the service runs in the gateway's process (the all-in-one), which Fastify's route hands requests to. */
  overHttp(): boolean;
  /** The problem the gateway answers when the service failed before answering. */
  failureAnswer(error: Error, traceId: string): { status: number; body: string };
}

/**
 * Paths the front door takes: plain segments only. Anything else (percent-encoding, dot segments,
 * empty segments, a segment longer than the router's parameters) goes to Fastify, whose router
 * answers it as it always has.
 */
const PlainPath = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99})+\/?$/;
/** The bodies the front door forwards as they are: none, or JSON (what Fastify's proxy parsers pass through). */
const PlainBodyType = /^application\/json\s*(?:;\s*charset=utf-8\s*)?$/i;
const ForwardedMethods = new Set(['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT']);

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The proxied requests of the per-service shape (a caller's request to a service reached over HTTP)
 * answered in front of Fastify, with the edge's own functions in the edge's order: the token
 * verified, the deny-list read, the per-account limit counted (RateLimit-* headers), the request id
 * and trace context, the same span and metrics, then the same forwarder. Only the common case is
 * taken, and only before anything is counted: a request any rule, refusal or framework check would
 * treat apart (public paths, a gateway answering CORS, per-route limits, unusual paths or bodies, a token that does not
 * verify, a denied caller, a limit it would pass, a closing server) goes to Fastify's edge whole, which
 * answers it as before. Measured per forwarded transfer: about a fifth of the gateway's CPU.
 */
export function proxiedFrontDoor(app: HttpApp, { context, settings, rates }: GatewayDeps, prefixes: ProxiedPrefix[]) {
  const authenticator = context.authenticator;
  const vouch = edgeVouchFor(context.config);
  const dropped: ReadonlySet<string> = new Set([EdgeVouchHeader]);
  const routeOf = new Map(prefixes.map((entry) => [entry.prefix, `${entry.prefix}/*`]));

  const proxiedPrefix = (request: IncomingMessage, path: string): ProxiedPrefix | undefined => {
    if (!ForwardedMethods.has(request.method ?? '') || !PlainPath.test(path) || isOpenPath(path)) return undefined;
    const type = request.headers['content-type'];
    if (hasBody(request) ? type === undefined || !PlainBodyType.test(type) : type !== undefined) return undefined;
    const entry = prefixes.find(({ prefix }) => path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47);
    if (!entry || path.length === entry.prefix.length + 1 || !entry.overHttp()) return undefined;
    return rates.accountRuleAlone(request.method as string, path) ? entry : undefined;
  };

  // CORS headers (@fastify/cors adds some to every answer, an Origin or not) stay Fastify's: with
  // CORS_ORIGINS set, every request goes through it.
  if (settings.CORS_ORIGINS) return;
  installFrontDoor(app, (request, response, fastify, door) => {
    const url = request.url ?? '/';
    const path = pathOf(url);
    const entry = door.closing() ? undefined : proxiedPrefix(request, path);
    const token = entry ? bearerTokenIn(request.headers.authorization) : undefined;
    if (!entry || !token) return fastify();
    forwardChecked(request, response, door, entry, token, url, performance.now()).catch(() => {
      if (!response.headersSent && !response.destroyed) fastify();
    });
  });

  async function forwardChecked(
    request: IncomingMessage,
    response: ServerResponse,
    door: FrontDoorFacilities,
    entry: ProxiedPrefix,
    token: string,
    url: string,
    startedAt: number,
  ): Promise<void> {
    // Checks that count nothing: a refusal goes to the Fastify edge, which answers it as always.
    // A token verified within the verifier's TTL goes on without the promises of a verification.
    const auth = authenticator.verifier.remembered(token) ?? (await authenticator.verifyToken(token));
    await authenticator.assertNotDenied(auth);
    const limits = rates.countAccountWithin(auth.accountId);
    if (!limits) throw new Error('over the per-account limit: the Fastify edge refuses it');
    const method = request.method as string;
    const traced = door.begin(method, routeOf.get(entry.prefix) as string, request.headers, startedAt);
    const answerHeaders = Object.assign(traced.answerHeaders, limits);
    response.once('close', () => traced.end(response.statusCode));
    const address = request.socket.remoteAddress ?? '';
    const headers: Record<string, string> = {
      'x-request-id': traced.requestId,
      'x-forwarded-for': address,
      traceparent: traced.answerHeaders.traceparent as string,
    };
    const body = hasBody(request);
    const forwarded = { url, method, headers: request.headers, raw: request, body: body ? request : undefined };
    const forwarding = {
      headers,
      dropped,
      answerHeaders: () => answerHeaders,
      onError(error: Error) {
        const failure = entry.failureAnswer(error, traced.trace.traceId);
        response.writeHead(failure.status, {
          ...answerHeaders,
          'content-type': 'application/problem+json; charset=utf-8',
          'content-length': Buffer.byteLength(failure.body),
        });
        response.end(failure.body);
      },
    };
    // The service gets the same headers either way; over the channel it also takes the caller as verified here.
    if (vouch) headers[EdgeVouchHeader] = vouch.sign(token);
    runWithTrace(traced.trace, () => {
      if (entry.channel?.takes(request, body)) entry.channel.forward(forwarded, response, forwarding);
      else entry.forwarder.forward(forwarded, response, forwarding);
    });
  }
}
