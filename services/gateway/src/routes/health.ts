import { type HttpApp, serviceUrl } from '@necp/platform';
import { Type } from 'typebox';
import { upstreamServices } from '../domain/routing.ts';
import type { GatewayDeps } from '../settings.ts';

const ServiceReadiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready'), Type.Literal('unreachable')]),
  httpStatus: Type.Union([Type.Integer(), Type.Null()]),
  latencyMs: Type.Number(),
});

const HealthBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded')]),
  services: Type.Record(Type.String(), ServiceReadiness),
});

/** `GET /api/v1/health`: every service's `/ready` in one body, each asked with a deadline. */
export function healthRoutes(app: HttpApp, { context }: GatewayDeps): void {
  const timeoutMs = Math.min(context.config.UPSTREAM_TIMEOUT_MS, 3000);
  app.get(
    '/api/v1/health',
    {
      schema: {
        tags: ['infrastructure'],
        summary: 'Readiness of every service',
        response: { 200: HealthBody, 503: HealthBody },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        upstreamServices.map(async (service) => {
          const started = performance.now();
          try {
            const response = await fetch(`${serviceUrl(context.config, service)}/ready`, {
              signal: AbortSignal.timeout(timeoutMs),
            });
            await response.body?.cancel();
            return [
              service,
              {
                status: response.ok ? 'ready' : 'unready',
                httpStatus: response.status,
                latencyMs: Math.round(performance.now() - started),
              },
            ] as const;
          } catch {
            return [
              service,
              { status: 'unreachable', httpStatus: null, latencyMs: Math.round(performance.now() - started) },
            ] as const;
          }
        }),
      );
      const ready = results.every(([, result]) => result.status === 'ready');
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'degraded', services: Object.fromEntries(results) });
    },
  );
}
