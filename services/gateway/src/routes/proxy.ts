import httpProxy from '@fastify/http-proxy';
import {
  buildProblem,
  currentTrace,
  formatTraceparent,
  type HttpApp,
  PROBLEM_CONTENT_TYPE,
  type ServiceContext,
  serviceUrl,
} from '@necp/platform';
import { classifyUpstreamError, upstreamPrefixes } from '../domain/routing.ts';

/** Forwards each prefix to its service with the request id and trace context; never hangs. */
export async function proxyRoutes(app: HttpApp, context: ServiceContext): Promise<void> {
  const timeoutMs = context.config.UPSTREAM_TIMEOUT_MS;
  for (const { prefix, service } of upstreamPrefixes) {
    const upstream = serviceUrl(context.config, service);
    await app.register(httpProxy, {
      upstream,
      prefix,
      rewritePrefix: prefix,
      // The gateway's own hooks count and time every request; a log line per hop would only cost.
      disableRequestLogging: true,
      undici: { connections: 128, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs },
      replyOptions: {
        rewriteRequestHeaders: (request, headers) => {
          const trace = currentTrace();
          return {
            ...headers,
            'x-request-id': request.id,
            ...(trace ? { traceparent: formatTraceparent(trace) } : {}),
          };
        },
        onError: (reply, { error }) => {
          const failure = classifyUpstreamError(error);
          context.logger.warn({ service, upstream, err: error }, 'upstream failed');
          reply
            .code(failure.status)
            .type(PROBLEM_CONTENT_TYPE)
            .send(
              buildProblem(
                failure.code,
                failure.status === 504
                  ? `${service} did not answer within ${timeoutMs} ms`
                  : `${service} is unavailable`,
                currentTrace()?.traceId ?? '0'.repeat(32),
                { status: failure.status, extensions: { service } },
              ),
            );
        },
      },
    });
  }
}
