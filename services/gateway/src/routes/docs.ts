import swaggerUi from '@fastify/swagger-ui';
import { AppError, type HttpApp, type ServiceName, serviceUrl } from '@necp/platform';
import { Type } from 'typebox';
import { upstreamServices } from '../domain/routing.ts';
import type { GatewayDeps } from '../settings.ts';

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
      },
    },
    async (request) => {
      const service = request.params.service.replace(/\.json$/, '') as ServiceName;
      const response = await fetch(`${serviceUrl(context.config, service)}/openapi.json`, {
        signal: AbortSignal.timeout(context.config.UPSTREAM_TIMEOUT_MS),
      }).catch(() => undefined);
      if (!response?.ok) throw new AppError('UPSTREAM_UNAVAILABLE', `${service} did not serve its OpenAPI document`);
      const document = (await response.json()) as Record<string, unknown>;
      return { ...document, servers: [{ url: '/', description: 'api-gateway' }] };
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
