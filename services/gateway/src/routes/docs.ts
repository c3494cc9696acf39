import swaggerUi from '@fastify/swagger-ui';
import { AppError, type HttpApp, problemAnswer, problems, type ServiceName, serviceUrl } from '@necp/platform';
import { Type } from 'typebox';
import { upstreamPrefixes, upstreamServices } from '../domain/routing.ts';
import type { GatewayDeps } from '../settings.ts';

interface ServiceDocument {
  paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  [member: string]: unknown;
}

/** What the gateway itself can answer on every forwarded operation: its rate limits, and a service down or slow. */
const EdgeAnswers = [429, 502, 503, 504];

/**
 * A service's document as reached through the gateway: only the paths the gateway forwards to it
 * (its infrastructure and internal routes are not), each operation with the gateway's own answers.
 */
function asServedHere(service: ServiceName, document: ServiceDocument): ServiceDocument {
  const prefixes = upstreamPrefixes.filter((route) => route.service === service).map((route) => route.prefix);
  const forwarded = Object.entries(document.paths ?? {}).filter(([path]) =>
    prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`)),
  );
  const paths = forwarded.map(([path, operations]) => {
    const answered = Object.entries(operations).map(([method, operation]) => {
      const responses = { ...operation.responses };
      for (const status of EdgeAnswers) responses[status] ??= problemAnswer(status);
      return [method, { ...operation, responses }] as const;
    });
    return [path, Object.fromEntries(answered)] as const;
  });
  return { ...document, paths: Object.fromEntries(paths), servers: [{ url: '/', description: 'api-gateway' }] };
}

/**
 * `/docs`: Swagger UI over every service's generated OpenAPI document, each fetched from its service
 * and served from here so the "try it out" calls go through the gateway.
 */
export async function docsRoutes(app: HttpApp, { context }: GatewayDeps): Promise<void> {
  app.get(
    '/docs/specs/:service',
    {
      schema: {
        tags: ['infrastructure'],
        summary: "A service's OpenAPI document",
        params: Type.Object({ service: Type.String({ pattern: `^(${upstreamServices.join('|')})\\.json$` }) }),
        response: { 200: Type.Unknown(), ...problems(502) },
      },
    },
    async (request) => {
      const service = request.params.service.replace(/\.json$/, '') as ServiceName;
      const response = await fetch(`${serviceUrl(context.config, service)}/openapi.json`, {
        signal: AbortSignal.timeout(context.config.UPSTREAM_TIMEOUT_MS),
      }).catch(() => undefined);
      if (!response?.ok) throw new AppError('UPSTREAM_UNAVAILABLE', `${service} did not serve its OpenAPI document`);
      return asServedHere(service, (await response.json()) as ServiceDocument);
    },
  );
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: {
      urls: [
        { name: 'gateway', url: '/openapi.json' },
        ...upstreamServices.map((service) => ({ name: service, url: `/docs/specs/${service}.json` })),
      ],
    },
  });
}
