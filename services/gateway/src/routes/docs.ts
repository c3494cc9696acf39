import swaggerUi from '@fastify/swagger-ui';
import { AppError, type HttpApp, problemAnswer, problems, type ServiceName, serviceUrl } from '@necp/platform';
import { Type } from 'typebox';
import { upstreamPrefixes, upstreamServices } from '../domain/routing.ts';
import type { GatewayDeps } from '../settings.ts';

interface Operation {
  responses?: Record<string, unknown>;
  tags?: string[];
  [member: string]: unknown;
}

interface ServiceDocument {
  paths?: Record<string, Record<string, Operation>>;
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

async function fetchDocument(
  context: GatewayDeps['context'],
  service: ServiceName,
): Promise<ServiceDocument | undefined> {
  const response = await fetch(`${serviceUrl(context.config, service)}/openapi.json`, {
    signal: AbortSignal.timeout(context.config.UPSTREAM_TIMEOUT_MS),
  }).catch(() => undefined);
  if (!response?.ok) return undefined;
  return asServedHere(service, (await response.json()) as ServiceDocument);
}

/** Each operation of `paths` under one tag, its group's name. */
function grouped(paths: ServiceDocument['paths'], group: string): NonNullable<ServiceDocument['paths']> {
  return Object.fromEntries(
    Object.entries(paths ?? {}).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => [method, { ...operation, tags: [group] }]),
      ),
    ]),
  );
}

/** The gateway's own API routes (the stream, the health of every service): not its infrastructure or docs. */
function ownApi(document: ServiceDocument): ServiceDocument['paths'] {
  return Object.fromEntries(Object.entries(document.paths ?? {}).filter(([path]) => path.startsWith('/api/')));
}

/**
 * The game API as one document: every operation the gateway forwards, grouped by service (each
 * service's own document, as served here), and the gateway's own API routes in a group of their
 * own, last. Internal and infrastructure routes are not forwarded, so they are not in it. A
 * service that does not answer is named in the description rather than failing the whole page.
 */
async function gameDocument(context: GatewayDeps['context'], gateway: ServiceDocument): Promise<ServiceDocument> {
  const documents = await Promise.all(
    upstreamServices.map(async (service) => [service, await fetchDocument(context, service)] as const),
  );
  const missing = documents.filter(([, document]) => !document).map(([service]) => service);
  const paths = Object.assign(
    {},
    ...documents.map(([service, document]) => grouped(document?.paths, service)),
    grouped(ownApi(gateway), 'gateway'),
  );
  const listed = new Set(
    Object.values(paths as NonNullable<ServiceDocument['paths']>).flatMap((operations) =>
      Object.values(operations).flatMap((operation) => operation.tags ?? []),
    ),
  );
  const groups = [...upstreamServices, 'gateway'].filter((group) => listed.has(group));
  return {
    openapi: gateway.openapi,
    info: {
      title: 'NECP game API',
      version: (gateway.info as { version?: string } | undefined)?.version ?? '0.1.0',
      description:
        "Every public operation through the gateway, by service; the gateway's own routes last. " +
        'Authorize with an access token (POST /api/v1/auth/token) to try the operations that need one.' +
        (missing.length > 0 ? ` Not answering now, so not listed: ${missing.join(', ')}.` : ''),
    },
    servers: [{ url: '/', description: 'api-gateway' }],
    tags: groups.map((name) => ({ name })),
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  };
}

/**
 * `/docs`: Swagger UI opening on the game API (`/docs/specs/game.json`), with each service's and
 * the gateway's own documents beside it; every document names the gateway as its server, so "try
 * it out" goes through the gateway with the token given to "Authorize".
 */
export async function docsRoutes(app: HttpApp, { context }: GatewayDeps): Promise<void> {
  app.get(
    '/docs/specs/game.json',
    {
      schema: {
        tags: ['infrastructure'],
        summary: 'The game API: every public operation through the gateway, by service',
        response: { 200: Type.Unknown() },
      },
    },
    async () => gameDocument(context, app.swagger() as unknown as ServiceDocument),
  );
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
      const document = await fetchDocument(context, service);
      if (!document) throw new AppError('UPSTREAM_UNAVAILABLE', `${service} did not serve its OpenAPI document`);
      return document;
    },
  );
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: {
      urls: [
        { name: 'game API', url: '/docs/specs/game.json' },
        { name: 'gateway', url: '/openapi.json' },
        ...upstreamServices.map((service) => ({ name: service, url: `/docs/specs/${service}.json` })),
      ],
      persistAuthorization: true,
    },
  });
}
